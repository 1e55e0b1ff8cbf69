using System;
using System.Linq;
using PoseRT.Protocol;
using PoseRT.Runtime;

namespace PoseRT.Tests.Embedding
{
    /// <summary>
    /// The lean core as an embedder relies on it: a game that only receives PoseFrames loads no ONNX Runtime, one that
    /// only estimates loads no MessagePack, and the shared pose types depend on nothing of either.
    /// </summary>
    public class AssemblyLayeringTests
    {
        [Theory]
        [InlineData(typeof(Pose), new[] { "PoseRT.Runtime", "PoseRT.Protocol", "Microsoft.ML.OnnxRuntime", "MessagePack" })]
        [InlineData(typeof(PoseFrame), new[] { "PoseRT.Runtime", "Microsoft.ML.OnnxRuntime" })]
        // The model manifest is read by the Runtime's own JSON reader: System.Text.Json is a package of its own (and more) on Unity/Mono.
        [InlineData(typeof(PoseEstimator), new[] { "PoseRT.Protocol", "MessagePack", "System.Text.Json" })]
        public void An_assembly_does_not_reference_what_its_users_may_not_have(Type type, string[] forbidden)
        {
            var references = type.Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
            foreach (var name in forbidden)
                Assert.DoesNotContain(name, references);
        }

        [Fact]
        public void The_shared_types_live_in_the_core_assembly()
        {
            foreach (var t in new[] { typeof(Pose), typeof(Keypoint), typeof(BoundingBox), typeof(TrackedPose), typeof(KeypointSchema), typeof(CocoKeypoints) })
                Assert.Equal("PoseRT.Core", t.Assembly.GetName().Name);
            Assert.Equal("PoseRT.Protocol", typeof(PoseFrameReceiver).Assembly.GetName().Name);
            Assert.Equal(TrackedPose.MaxPerFrame, PoseFrameSerializer.MaxPoses);
        }
    }
}
