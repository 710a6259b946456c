namespace GitTorrent.Engine.Client.Machines;

/// <summary>How the <see cref="PickingMachine{TPeer}"/> keeps peers' pipelines full (from <see cref="TorrentEngineOptions"/>).</summary>
/// <param name="PipelineDepth">Blocks kept requested from an unchoked, non-snubbed peer at least.</param>
/// <param name="MaxPipelineDepth">Upper bound of the adaptive pipeline.</param>
/// <param name="RequestQueueTime">How much of a peer's rate the adaptive pipeline keeps requested.</param>
/// <param name="SnubTimeout">A peer with requests outstanding and no block for this long is snubbed.</param>
/// <param name="StreamWindowBytes">Streaming (<see cref="PickingMachine{TPeer}.StreamFront"/>): how far ahead of the stream's front pieces are started in order.</param>
public sealed record PickingOptions(int PipelineDepth, int MaxPipelineDepth, TimeSpan RequestQueueTime, TimeSpan SnubTimeout,
    long StreamWindowBytes = TorrentEngineOptions.DefaultStreamWindowBytes)
{
    public static PickingOptions From(TorrentEngineOptions options) =>
        new(options.PipelineDepth, options.MaxPipelineDepth, options.RequestQueueTime, options.SnubTimeout, options.StreamWindowBytes);
}
