using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// How <see cref="NameScannerService"/> follows the chain; bound from the same <c>GitTorrent:Bitcoin</c> section
/// as <see cref="BitcoinOptions"/> (which holds the node's URL, credentials, network and confirmations).
/// </summary>
public sealed class NameScannerOptions
{
    /// <summary>How often the node is polled for new blocks. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First block height to index on an empty database. Default 0.</summary>
    [Range(0, int.MaxValue)]
    public int StartHeight { get; set; }

    /// <summary>Deepest reorganisation undone automatically (0 = no limit). Default 144; see <see cref="ChainFollowerOptions.MaxReorgDepth"/>.</summary>
    [Range(0, int.MaxValue)]
    public int MaxReorgDepth { get; set; } = 144;

    /// <summary>
    /// Blocks written in one transaction at most during a catch-up (<see cref="ChainFollowerOptions.MaxBatchBlocks"/>).
    /// Default 1,000; a crash loses at most the batch being read, never part of a written one.
    /// </summary>
    [Range(1, 100_000)]
    public int BatchBlocks { get; set; } = 1000;
}
