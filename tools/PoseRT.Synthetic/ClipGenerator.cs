using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using OpenCvSharp;

using PoseRT.IO;
using PoseRT.Randomness;

namespace PoseRT.Synthetic
{
    /// <summary>
    /// People walking across a fixed background (turning round smoothly at the edges), some
    /// standing and waving; identity and appearance fixed per person, all motion continuous.
    /// </summary>
    internal static class ClipGenerator
    {
        private const ulong ClipStream = 2;
        private const ulong FrameNoiseStream = 3;

        private sealed class Actor
        {
            public int Id;
            public Figure Figure = null!;
            public float Baseline, X, Speed, Dir, Phase, Cadence, Bias, Yaw, TurnFrom, TurnT;
            public bool Turning, Waving;
            public float WaveRate, SwayPhase;
        }

        public static SyntheticClip Generate(SyntheticClipOptions o, string outDir)
        {
            var rng = new SeededRandom(SeededRandom.Derive(o.Seed, 0, ClipStream));
            int w = o.Width, h = o.Height;
            var canvas = new Canvas(w, h);
            canvas.Light = Vector3.Normalize(new Vector3(rng.Uniform(-0.5, 0.5), rng.Uniform(-0.6, -0.1), 0.8f));
            Backgrounds.Fill(canvas, rng, o.Difficulty);
            byte[] background = (byte[])canvas.Bgr.Clone();

            var actors = new List<Actor>(o.People);
            for (int i = 0; i < o.People; i++)
            {
                var shape = BodyShape.Sample(rng);
                var look = Appearance.Sample(rng, o.Difficulty);
                var pose = PoseSampler.Sample(rng, 0);
                var a = new Actor
                {
                    Id = i,
                    Figure = new Figure(shape, look, pose),
                    Baseline = h * rng.Uniform(0.62, 0.97),
                    Waving = o.People > 1 && i == o.People - 1 ? rng.Chance(0.5) : rng.Chance(0.15),
                    Dir = rng.Chance(0.5) ? 1 : -1,
                    Bias = rng.Uniform(0, 35),
                    Phase = rng.Uniform(0, 2 * Math.PI),
                    WaveRate = rng.Uniform(0.8, 1.6),
                    SwayPhase = rng.Uniform(0, 2 * Math.PI),
                };
                // Nearer people (lower in the frame) look bigger, as with a camera above the ground.
                float near = (a.Baseline / h - 0.6f) / 0.4f;
                a.Figure.Scale = h * (0.36f + 0.34f * near); // 130-250 px at 360 rows: tall enough for a HOG detector's 128 px window
                a.X = rng.Uniform(0.12, 0.88) * w;
                a.Speed = rng.Uniform(0.35, 0.7) * a.Figure.Scale; // px per second: a stature every 1.5-3 s, a stroll
                a.Cadence = a.Speed / a.Figure.Scale / 0.75f; // gait cycles per second
                a.Yaw = a.Waving ? rng.Normal(0, 20) : a.Dir * (90 - a.Bias);
                actors.Add(a);
            }
            // Painter's order: people lower in the frame are nearer.
            actors.Sort((x, y) => x.Baseline.CompareTo(y.Baseline));

            string videoPath = Path.Combine(outDir, o.Name + ".mp4");
            string gtPath = Path.Combine(outDir, o.Name + ".json");
            string tmpVideo = AtomicFile.TempPathFor(videoPath);
            var frames = new List<SyntheticClipFrame>(o.Frames);
            float dt = (float)(1.0 / o.Fps);
            var figures = new List<Figure>(actors.Count);
            var ids = new List<int>(actors.Count);
            foreach (var a in actors)
            {
                figures.Add(a.Figure);
                ids.Add(a.Id);
            }

            try
            {
                using (var writer = new VideoWriter(tmpVideo, FourCC.FromString("mp4v"), o.Fps, new Size(w, h)))
                {
                    if (!writer.IsOpened())
                        throw new InvalidOperationException($"OpenCV could not open a video writer for '{videoPath}' (codec mp4v); is OpenCV built with FFmpeg?");
                    for (int fi = 0; fi < o.Frames; fi++)
                    {
                        float t = fi * dt;
                        foreach (var a in actors) Step(a, t, fi == 0 ? 0 : dt, w);
                        Buffer.BlockCopy(background, 0, canvas.Bgr, 0, background.Length);
                        Array.Clear(canvas.Labels);
                        for (int i = 0; i < actors.Count; i++) canvas.DrawFigure(actors[i].Figure, i);
                        frames.Add(new SyntheticClipFrame(fi, Scene.Annotate(canvas, figures, ids)));
                        var noiseRng = new SeededRandom(SeededRandom.Derive(o.Seed, fi, FrameNoiseStream));
                        Scene.AddNoise(canvas.Bgr, noiseRng, 1, 0, 1.5f + 3 * (float)o.Difficulty);
                        using var mat = Backgrounds.Wrap(canvas);
                        writer.Write(mat);
                    }
                }
                AtomicFile.Commit(tmpVideo, videoPath);
            }
            catch
            {
                AtomicFile.TryDelete(tmpVideo);
                throw;
            }

            AtomicFile.WriteAllBytes(gtPath, SyntheticAnnotations.Clip(o, Path.GetFileName(videoPath), frames));
            return new SyntheticClip(Path.GetFullPath(videoPath), Path.GetFullPath(gtPath), w, h, o.Fps, frames);
        }

        /// <summary>Advances one actor by <paramref name="dt"/> seconds and places its figure for time <paramref name="t"/>.</summary>
        private static void Step(Actor a, float t, float dt, int width)
        {
            var f = a.Figure;
            var p = f.Pose;
            float margin = 0.1f * width;
            if (a.Waving)
            {
                p.Yaw = a.Yaw + 10 * MathF.Sin(0.7f * t + a.SwayPhase);
                p.LegL = new LimbPose(4, 90, 3);
                p.LegR = new LimbPose(4, 90, 3);
                float wave = MathF.Sin(2 * MathF.PI * a.WaveRate * t);
                p.ArmR = new LimbPose(135 + 15 * wave, 80, 35 + 25 * wave, 70);
                p.ArmL = new LimbPose(8, 70, 15);
                p.HeadYaw = 15 * MathF.Sin(0.5f * t + a.SwayPhase);
                p.SpineRoll = 3 * MathF.Sin(0.7f * t);
            }
            else
            {
                if (a.Turning)
                {
                    a.TurnT += dt / 1.0f;
                    float s = Math.Clamp(a.TurnT, 0, 1);
                    s = s * s * (3 - 2 * s);
                    // Turn through facing the camera (yaw 0), the way people turn round in view.
                    float target = -a.Dir * (90 - a.Bias);
                    a.Yaw = a.TurnFrom + (target - a.TurnFrom) * s;
                    a.Phase += MathF.PI * a.Cadence * dt;
                    if (a.TurnT >= 1)
                    {
                        a.Turning = false;
                        a.Dir = -a.Dir;
                    }
                }
                else
                {
                    a.X += a.Dir * a.Speed * dt;
                    a.Phase += 2 * MathF.PI * a.Cadence * dt;
                    if ((a.Dir > 0 && a.X > width - margin) || (a.Dir < 0 && a.X < margin))
                    {
                        a.Turning = true;
                        a.TurnT = 0;
                        a.TurnFrom = a.Yaw;
                    }
                }
                p.Yaw = a.Yaw;
                PoseSampler.Walk(p, a.Phase, a.Turning ? 0.4f : 0.9f);
                p.SpineTwist = 0;
                p.SpinePitch = 3;
                p.SpineRoll = 0;
                p.HeadYaw = 0;
            }

            f.Roll = 0;
            f.Offset = Vector2.Zero;
            f.Update();
            // Stand on the ground line: the lowest foot point touches the baseline.
            var P = f.Skeleton.P;
            float lowest = MathF.Max(MathF.Max(P[Extra.ToeL].Y, P[Extra.HeelL].Y), MathF.Max(P[Extra.ToeR].Y, P[Extra.HeelR].Y)) + f.Shape.FootR;
            f.Offset = new Vector2(a.X, a.Baseline - lowest * f.Scale);
            f.Update();
        }
    }
}
