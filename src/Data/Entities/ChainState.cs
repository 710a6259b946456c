namespace GitTorrent.Data.Entities;

/// <summary>The chain follower's checkpoint: the last block it processed on one chain.</summary>
public sealed class ChainState
{
    /// <summary>Chain name: <c>main</c>, <c>test</c>, <c>signet</c> or <c>regtest</c>.</summary>
    public required string Chain { get; set; }

    public int Height { get; set; }

    /// <summary>64 lowercase hex chars.</summary>
    public required string Hash { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
