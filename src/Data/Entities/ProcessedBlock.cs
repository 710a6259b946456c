namespace GitTorrent.Data.Entities;

/// <summary>A block the chain follower processed; comparing its hash with the node's detects reorgs.</summary>
public sealed class ProcessedBlock
{
    public required string Chain { get; set; }

    public int Height { get; set; }

    /// <summary>64 lowercase hex chars.</summary>
    public required string Hash { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
