using System.IO;
using System.Linq;
using PoseRT.Coco;
using static PoseRT.Tests.CocoTestData;

namespace PoseRT.Tests
{
    public class TopDownProtocolTests
    {
        [Fact]
        public void Oks_nms_keeps_the_best_of_near_duplicates_and_distinct_people()
        {
            var person = Gt(1, 1, 200, 200, 150);
            var best = Copy(person, 0.9);
            var duplicate = Copy(person, 0.8, _ => (1, 1));     // OKS ~0.99 with best: suppressed
            var other = Copy(Gt(2, 1, 500, 300, 150), 0.7);   // far away: kept
            var weakShifted = Copy(person, 0.95, _ => (60, 0)); // best score but OKS with the others is low
            var poses = new[] { duplicate, other, best, weakShifted };
            double area = 150 * 150;
            var keep = TopDownProtocol.OksNms(poses, new[] { area, area, area, area });
            Assert.Equal(new[] { 3, 2, 1 }, keep);

            // A threshold above every overlap keeps all, best first.
            Assert.Equal(new[] { 3, 2, 0, 1 }, TopDownProtocol.OksNms(poses, new[] { area, area, area, area }, threshold: 1.0));
        }

        [Fact]
        public void Detection_selection_keeps_persons_at_or_above_the_score_threshold()
        {
            var detections = new[]
            {
                new CocoDetection(1, 1, new CocoBox(0, 0, 10, 10), 0.5),
                new CocoDetection(1, 2, new CocoBox(0, 0, 10, 10), 0.9),
                new CocoDetection(2, 1, new CocoBox(0, 0, 10, 10), 0.0),
            };
            Assert.Equal(2, TopDownProtocol.SelectDetections(detections).Count);
            Assert.Single(TopDownProtocol.SelectDetections(detections, 0.1));
        }

        [Fact]
        public void Ground_truth_boxes_are_cleaned_like_hrnet_and_skip_people_without_keypoints()
        {
            var gt = CocoKeypointFile.Load(Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json"));
            var boxes = gt.Images.SelectMany(i => TopDownProtocol.GroundTruthBoxes(gt.AnnotationsOf(i.Id), i.Width, i.Height)).ToList();
            Assert.Equal(12, boxes.Count); // 14 persons, 2 without keypoints
            Assert.All(boxes, b => Assert.Equal(1.0, b.Score));

            // [0.5, 43.74, 90.1, 220.09] -> x2 = 0.5 + 89.1, y2 = 43.74 + 219.09: width and height shrink by one pixel.
            var left = boxes.Single(b => b.ImageId == 197388 && b.Bbox.X == 0.5);
            Assert.Equal(89.1, left.Bbox.Width, 9);
            Assert.Equal(219.09, left.Bbox.Height, 9);

            // A box sticking out of a 640-wide image is clipped at x = 639.
            var clipped = TopDownProtocol.GroundTruthBoxes(new[] { Gt(1, 1, 630, 100, 40) }, 640, 480).Single();
            Assert.Equal(639 - 610, clipped.Bbox.Width, 9);
        }
    }
}
