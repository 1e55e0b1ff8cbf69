using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace PoseRT
{
    /// <summary>
    /// Everything that defines a skeleton's keypoints, in one immutable record: names in model output order,
    /// the mirror image of each keypoint, the limbs to draw, which half of the body each keypoint belongs to
    /// and its OKS sigma. Training targets, flip test, drawing and evaluation all read one of these
    /// (<see cref="CocoKeypoints.Schema"/> for COCO; a model's own from its metadata).
    /// </summary>
    public sealed class KeypointSchema
    {
        private readonly int[] _flipIndex;
        private readonly BodyPart[] _parts;
        private readonly double[] _sigmas;

        /// <summary>
        /// Creates a schema and checks it: every index inside the keypoints, each keypoint in at most one flip
        /// pair, body parts and sigmas each either empty (unknown) or one per keypoint, sigmas positive.
        /// Throws <see cref="ArgumentException"/> naming the parameter and the value.
        /// </summary>
        /// <param name="names">Keypoint names in model output order.</param>
        /// <param name="flipPairs">Left/right pairs swapped by a horizontal flip; unpaired keypoints map to themselves.</param>
        /// <param name="skeleton">Limbs for drawing, as (from, to) keypoint indices.</param>
        /// <param name="parts">The body half of each keypoint, or empty when unknown.</param>
        /// <param name="sigmas">Per-keypoint OKS sigmas in pycocotools' form (<c>.26/10</c> for COCO's nose), or empty when unknown.</param>
        public KeypointSchema(
            IReadOnlyList<string> names,
            IReadOnlyList<(int Left, int Right)> flipPairs,
            IReadOnlyList<(int From, int To)> skeleton,
            IReadOnlyList<BodyPart> parts,
            IReadOnlyList<double> sigmas)
        {
            if (names is null) throw new ArgumentNullException(nameof(names));
            if (flipPairs is null) throw new ArgumentNullException(nameof(flipPairs));
            if (skeleton is null) throw new ArgumentNullException(nameof(skeleton));
            if (parts is null) throw new ArgumentNullException(nameof(parts));
            if (sigmas is null) throw new ArgumentNullException(nameof(sigmas));
            int count = names.Count;
            if (count == 0) throw new ArgumentException("A skeleton needs at least one keypoint.", nameof(names));
            var nameArray = new string[count];
            for (int i = 0; i < count; i++)
            {
                var name = names[i];
                if (string.IsNullOrWhiteSpace(name) || name.IndexOf(',') >= 0)
                    throw new ArgumentException($"Keypoint {i}'s name '{name}' is empty or contains a comma.", nameof(names));
                for (int j = 0; j < i; j++)
                {
                    if (string.Equals(nameArray[j], name, StringComparison.Ordinal))
                        throw new ArgumentException($"Keypoint name '{name}' is used twice (keypoints {j} and {i}).", nameof(names));
                }
                nameArray[i] = name;
            }

            _flipIndex = new int[count];
            for (int i = 0; i < count; i++) _flipIndex[i] = i;
            var pairArray = new (int, int)[flipPairs.Count];
            for (int p = 0; p < pairArray.Length; p++)
            {
                var (a, b) = flipPairs[p];
                CheckPair(a, b, count, nameof(flipPairs));
                if (a == b || _flipIndex[a] != a || _flipIndex[b] != b)
                    throw new ArgumentException($"Flip pair ({a}, {b}) pairs a keypoint with itself or one already paired.", nameof(flipPairs));
                _flipIndex[a] = b;
                _flipIndex[b] = a;
                pairArray[p] = (a, b);
            }

            var limbArray = new (int, int)[skeleton.Count];
            for (int l = 0; l < limbArray.Length; l++)
            {
                var (a, b) = skeleton[l];
                CheckPair(a, b, count, nameof(skeleton));
                limbArray[l] = (a, b);
            }

            if (parts.Count != 0 && parts.Count != count)
                throw new ArgumentException($"{parts.Count} body parts given for {count} keypoints (give one each, or none).", nameof(parts));
            _parts = new BodyPart[parts.Count];
            for (int i = 0; i < _parts.Length; i++)
            {
                if (parts[i] != BodyPart.Upper && parts[i] != BodyPart.Lower)
                    throw new ArgumentException($"Keypoint {i}'s body part {(int)parts[i]} is not Upper or Lower.", nameof(parts));
                _parts[i] = parts[i];
            }

            if (sigmas.Count != 0 && sigmas.Count != count)
                throw new ArgumentException($"{sigmas.Count} OKS sigmas given for {count} keypoints (give one each, or none).", nameof(sigmas));
            _sigmas = new double[sigmas.Count];
            for (int i = 0; i < _sigmas.Length; i++)
            {
                if (!(sigmas[i] > 0) || double.IsInfinity(sigmas[i]))
                    throw new ArgumentException($"Keypoint {i}'s OKS sigma {sigmas[i]} must be positive and finite.", nameof(sigmas));
                _sigmas[i] = sigmas[i];
            }

            Names = new ReadOnlyCollection<string>(nameArray);
            FlipPairs = new ReadOnlyCollection<(int Left, int Right)>(pairArray);
            Skeleton = new ReadOnlyCollection<(int From, int To)>(limbArray);
        }

        /// <summary>Number of keypoints.</summary>
        public int Count => _flipIndex.Length;

        /// <summary>Keypoint names in model output order.</summary>
        public IReadOnlyList<string> Names { get; }

        /// <summary>The left/right pairs as (left, right), e.g. (1, 2) for COCO's eyes.</summary>
        public IReadOnlyList<(int Left, int Right)> FlipPairs { get; }

        /// <summary><c>FlipIndex[i]</c> is the keypoint that <c>i</c> becomes in a horizontally mirrored image.</summary>
        public ReadOnlySpan<int> FlipIndex => _flipIndex;

        /// <summary>Limbs for drawing, as (from, to) keypoint indices.</summary>
        public IReadOnlyList<(int From, int To)> Skeleton { get; }

        /// <summary>The body half of each keypoint; empty when the skeleton does not say.</summary>
        public ReadOnlySpan<BodyPart> Parts => _parts;

        /// <summary>True when every keypoint has a <see cref="BodyPart"/> (half-body augmentation needs it).</summary>
        public bool HasParts => _parts.Length == Count;

        /// <summary>Per-keypoint OKS sigmas in pycocotools' form; empty when the skeleton has none (OKS undefined).</summary>
        public ReadOnlySpan<double> Sigmas => _sigmas;

        /// <summary>True when every keypoint has an OKS sigma, so OKS (evaluation, OKS-NMS) is defined.</summary>
        public bool HasSigmas => _sigmas.Length == Count;

        /// <summary>The index of the keypoint called <paramref name="name"/> (ordinal), or -1.</summary>
        public int IndexOf(string name)
        {
            for (int i = 0; i < Names.Count; i++)
            {
                if (string.Equals(Names[i], name, StringComparison.Ordinal)) return i;
            }
            return -1;
        }

        /// <summary>True when both schemas have the same names, flip pairs, limbs, parts and sigmas.</summary>
        public bool IsSameAs(KeypointSchema other)
        {
            if (other is null) throw new ArgumentNullException(nameof(other));
            if (ReferenceEquals(this, other)) return true;
            if (other.Count != Count || other.Skeleton.Count != Skeleton.Count
                || other._sigmas.Length != _sigmas.Length || other._parts.Length != _parts.Length) return false;
            for (int i = 0; i < Count; i++)
            {
                if (!string.Equals(Names[i], other.Names[i], StringComparison.Ordinal) || _flipIndex[i] != other._flipIndex[i])
                    return false;
            }
            for (int i = 0; i < _parts.Length; i++)
            {
                if (_parts[i] != other._parts[i]) return false;
            }
            for (int i = 0; i < _sigmas.Length; i++)
            {
                if (_sigmas[i] != other._sigmas[i]) return false;
            }
            for (int l = 0; l < Skeleton.Count; l++)
            {
                if (Skeleton[l] != other.Skeleton[l]) return false;
            }
            return true;
        }

        private static void CheckPair(int a, int b, int count, string parameter)
        {
            if (a < 0 || b < 0 || a >= count || b >= count)
                throw new ArgumentException($"{parameter} pair ({a}, {b}) is outside the {count} keypoints.", parameter);
        }
    }
}
