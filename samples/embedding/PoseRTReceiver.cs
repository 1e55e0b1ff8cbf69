using System;
using System.Net;
using System.Threading;
using PoseRT;
using PoseRT.Protocol;
using UnityEngine;

public sealed class PoseRTReceiver : MonoBehaviour
{
    public int port = 9750;
    public Transform[] joints = new Transform[17]; // one object per COCO keypoint
    public float minScore = 0.3f;

    private PoseFrameReceiver receiver;
    private Thread thread;
    private volatile bool running;
    private PoseFrame latest; // written by the worker, read by Update

    private void OnEnable()
    {
        receiver = PoseFrameReceiver.ListenUdp(new IPEndPoint(IPAddress.Loopback, port));
        running = true;
        thread = new Thread(() =>
        {
            while (running)
            {
                if (receiver.TryReceive(TimeSpan.FromMilliseconds(100), out PoseFrame frame))
                    Interlocked.Exchange(ref latest, frame);
            }
        }) { IsBackground = true };
        thread.Start();
    }

    private void Update()
    {
        PoseFrame frame = Interlocked.Exchange(ref latest, null);
        if (frame == null || frame.Poses.Length == 0) return;
        // Follow the first track; pick by TrackId to follow one person across frames.
        Pose pose = frame.Poses[0].Pose;
        for (int k = 0; k < joints.Length && k < pose.KeypointCount; k++)
        {
            Keypoint kp = pose[k];
            bool visible = kp.Score >= minScore;
            joints[k].gameObject.SetActive(visible);
            if (!visible) continue;
            // Image pixels (y down) -> viewport (0..1, y up) -> world on the camera's near plane + 5 m.
            var viewport = new Vector3(kp.X / frame.ImageWidth, 1f - kp.Y / frame.ImageHeight, 5f);
            joints[k].position = Camera.main.ViewportToWorldPoint(viewport);
        }
    }

    private void OnDisable()
    {
        running = false;
        thread?.Join(500);
        receiver?.Dispose();
    }
}
