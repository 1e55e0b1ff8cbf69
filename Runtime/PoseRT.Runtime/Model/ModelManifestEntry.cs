namespace PoseRT.Runtime.Model
{
    /// <summary>
    /// One model of a <see cref="ModelManifest"/>: where the file is, its sha256, its role and what its model card
    /// states. Descriptive only: the Runtime reads the model's own metadata (<see cref="PoseModelInfo"/>) when it loads
    /// the file; the shipped-model tests check that the two agree.
    /// </summary>
    public sealed class ModelManifestEntry
    {
        internal ModelManifestEntry(string file, string fullPath, string sha256, string role, string architecture, string activation,
            int inputWidth, int inputHeight, string trainingData, double heldOutSyntheticAp, double cocoMiniAp)
        {
            File = file;
            FullPath = fullPath;
            Sha256 = sha256;
            Role = role;
            Architecture = architecture;
            Activation = activation;
            InputWidth = inputWidth;
            InputHeight = inputHeight;
            TrainingData = trainingData;
            HeldOutSyntheticAp = heldOutSyntheticAp;
            CocoMiniAp = cocoMiniAp;
        }

        /// <summary>The file as the manifest names it, relative to the manifest's folder (<c>file</c>).</summary>
        public string File { get; }

        /// <summary>The absolute path of <see cref="File"/>; pass it to <see cref="PoseEstimator.Load(string, PoseEstimatorOptions?)"/>.</summary>
        public string FullPath { get; }

        /// <summary>The file's sha256 as 64 lowercase hex digits (<c>sha256</c>).</summary>
        public string Sha256 { get; }

        /// <summary><see cref="ModelManifest.DefaultRole"/> or <see cref="ModelManifest.AlternativeRole"/> (<c>role</c>).</summary>
        public string Role { get; }

        /// <summary>True for the manifest's one default model.</summary>
        public bool IsDefault => Role == ModelManifest.DefaultRole;

        /// <summary>Backbone name as in the model's metadata, e.g. <c>mobilenetv3_small_x0.5_head0.25</c> (<c>architecture</c>).</summary>
        public string Architecture { get; }

        /// <summary>Activation name as in the model's metadata, e.g. <c>dyrelu_c</c> (<c>activation</c>).</summary>
        public string Activation { get; }

        /// <summary>Network input width in pixels (<c>input_width</c>).</summary>
        public int InputWidth { get; }

        /// <summary>Network input height in pixels (<c>input_height</c>).</summary>
        public int InputHeight { get; }

        /// <summary>What the model was trained on, in words and commands (<c>training_data</c>).</summary>
        public string TrainingData { get; }

        /// <summary>The AP its model card states on held-out synthetic people, ground-truth boxes (<c>ap.held_out_synthetic</c>).</summary>
        public double HeldOutSyntheticAp { get; }

        /// <summary>The AP its model card states on <c>samples/coco-mini</c>, ground-truth boxes (<c>ap.coco_mini</c>).</summary>
        public double CocoMiniAp { get; }
    }
}
