using System.Buffers;
using System.Text.Json;
using PoseRT.Demo.Pipeline;
using PoseRT.Protocol;
using PoseRT.Runtime;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// The JSON form of a frame for the web page: the same fields as the MessagePack
    /// <see cref="PoseFrame"/> (named instead of positional), plus the demo's FPS and latencies.
    /// Written by hand with <see cref="Utf8JsonWriter"/>: no reflection.
    /// </summary>
    internal static class PoseFrameJson
    {
        public static void Write(IBufferWriter<byte> output, FrameResult result)
        {
            using var json = new Utf8JsonWriter(output);
            json.WriteStartObject();
            json.WriteNumber("version", PoseFrame.CurrentVersion);
            json.WriteNumber("frame", result.FrameNumber);
            json.WriteNumber("timestampUs", result.TimestampMicroseconds);
            json.WriteNumber("width", result.Width);
            json.WriteNumber("height", result.Height);
            json.WriteNumber("fps", System.Math.Round(result.Fps, 2));
            json.WriteStartObject("latencyMs");
            json.WriteNumber("capture", System.Math.Round(result.Latency.Capture, 2));
            json.WriteNumber("detect", System.Math.Round(result.Latency.Detect, 2));
            json.WriteNumber("pose", System.Math.Round(result.Latency.Pose, 2));
            json.WriteNumber("track", System.Math.Round(result.Latency.Track, 2));
            json.WriteNumber("draw", System.Math.Round(result.Latency.Draw, 2));
            json.WriteEndObject();
            json.WriteStartArray("poses");
            foreach (ref readonly TrackedPose tracked in result.Poses)
            {
                json.WriteStartObject();
                json.WriteNumber("trackId", tracked.TrackId);
                json.WriteNumber("score", tracked.Pose.Score);
                json.WriteNumber("boxScore", tracked.Pose.BoxScore);
                json.WriteStartArray("box");
                json.WriteNumberValue(tracked.Pose.Box.X);
                json.WriteNumberValue(tracked.Pose.Box.Y);
                json.WriteNumberValue(tracked.Pose.Box.Width);
                json.WriteNumberValue(tracked.Pose.Box.Height);
                json.WriteEndArray();
                json.WriteStartArray("keypoints");
                for (int k = 0; k < tracked.Pose.KeypointCount; k++)
                {
                    Keypoint kp = tracked.Pose[k];
                    json.WriteStartArray();
                    json.WriteNumberValue(kp.X);
                    json.WriteNumberValue(kp.Y);
                    json.WriteNumberValue(kp.Score);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }
}
