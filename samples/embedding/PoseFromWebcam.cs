using System;
using System.IO;
using System.Runtime.InteropServices;
using PoseRT;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;
using UnityEngine;

public sealed class PoseFromWebcam : MonoBehaviour
{
    public string modelFile = "pose.onnx";            // under StreamingAssets
    private WebCamTexture _camera;
    private PoseEstimator _estimator;
    private LivePoseTracker _tracker;
    private Color32[] _pixels;                         // reused: no garbage per frame
    private TrackedPose[] _people;

    private void Start()
    {
        _camera = new WebCamTexture(1280, 720);
        _camera.Play();
        _estimator = PoseEstimator.Load(Path.Combine(Application.streamingAssetsPath, modelFile),
            new PoseEstimatorOptions { Provider = ExecutionProvider.Auto });
        Debug.Log("PoseRT provider: " + _estimator.ProviderReport);
        // No detector: follow the person who steps into the middle half of the view (PoseTrackerOptions.StartRegion).
        _tracker = new LivePoseTracker(new PoseTracker(_estimator));
        _people = new TrackedPose[_tracker.Capacity];
    }

    private void Update()
    {
        if (_camera.didUpdateThisFrame)
        {
            int w = _camera.width, h = _camera.height;
            if (_pixels == null || _pixels.Length != w * h) _pixels = new Color32[w * h];
            _camera.GetPixels32(_pixels);                              // fills the reused array
            var bytes = MemoryMarshal.AsBytes(_pixels.AsSpan());       // Color32 = R, G, B, A
            _tracker.Submit(new ImageView(bytes, w, h, w * 4, PixelFormat.Rgba32, bottomUp: true), Time.realtimeSinceStartup);
        }

        int n = _tracker.TryGetLatest(_people, out long frame, out double time);   // -1 until the first result
        for (int i = 0; i < n; i++)
        {
            Pose pose = _people[i].Pose;                               // _people[i].TrackId is stable per person
            for (int k = 0; k < pose.KeypointCount; k++)
            {
                Keypoint p = pose[k];
                if (p.Score < 0.3f) continue;
                // Keypoints are in camera pixels, y down; screen space has y up. Drive an avatar joint, draw a marker, ...
                Vector2 screen = new Vector2(p.X / _camera.width * Screen.width, (1 - p.Y / _camera.height) * Screen.height);
            }
        }
    }

    private void OnDestroy()
    {
        _tracker?.Dispose();
        _estimator?.Dispose();
        if (_camera != null) _camera.Stop();
    }
}
