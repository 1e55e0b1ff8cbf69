// Just enough of UnityEngine's surface for the embedding samples to compile and run outside Unity. The members
// mirror Unity's names and shapes; their behaviour is the least a test needs (a camera that serves given pixels).
namespace UnityEngine
{
    public class Object
    {
    }

    public class Component : Object
    {
        public GameObject gameObject { get; } = new GameObject();
    }

    public class Behaviour : Component
    {
    }

    public class MonoBehaviour : Behaviour
    {
    }

    public sealed class GameObject : Object
    {
        public bool activeSelf { get; private set; } = true;

        public void SetActive(bool value) => activeSelf = value;
    }

    public sealed class Transform : Component
    {
        public Vector3 position { get; set; }
    }

    public struct Color32
    {
        public byte r, g, b, a;

        public Color32(byte r, byte g, byte b, byte a)
        {
            this.r = r;
            this.g = g;
            this.b = b;
            this.a = a;
        }
    }

    public struct Vector2
    {
        public float x, y;

        public Vector2(float x, float y)
        {
            this.x = x;
            this.y = y;
        }
    }

    public struct Vector3
    {
        public float x, y, z;

        public Vector3(float x, float y, float z)
        {
            this.x = x;
            this.y = y;
            this.z = z;
        }
    }

    /// <summary>Serves the pixels a test gives it, bottom row first like Unity's.</summary>
    public sealed class WebCamTexture : Object
    {
        public static Color32[] NextPixels;
        public static int NextWidth, NextHeight;

        public WebCamTexture(int requestedWidth, int requestedHeight)
        {
        }

        public bool isPlaying { get; private set; }

        public bool didUpdateThisFrame => isPlaying && NextPixels != null;

        public int width => NextWidth;

        public int height => NextHeight;

        public void Play() => isPlaying = true;

        public void Stop() => isPlaying = false;

        public void GetPixels32(Color32[] colors) => System.Array.Copy(NextPixels, colors, NextWidth * NextHeight);
    }

    public static class Application
    {
        public static string streamingAssetsPath = "";
    }

    public static class Debug
    {
        public static readonly System.Collections.Generic.List<string> Messages = new System.Collections.Generic.List<string>();

        public static void Log(object message) => Messages.Add(message?.ToString());
    }

    public static class Time
    {
        public static float realtimeSinceStartup;
    }

    public static class Screen
    {
        public static int width = 1920, height = 1080;
    }

    public sealed class Camera : Component
    {
        public static Camera main { get; } = new Camera();

        public Vector3 ViewportToWorldPoint(Vector3 position) => position;
    }
}
