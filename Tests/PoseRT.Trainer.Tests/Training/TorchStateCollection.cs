namespace PoseRT.Tests.Training
{
    /// <summary>
    /// Tests that train run alone: LibTorch's generator and thread count are process-wide, and bit-exact
    /// resume checks would fail spuriously if another test drew random numbers at the same time.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class TorchStateCollection
    {
        public const string Name = "LibTorch global state";
    }
}
