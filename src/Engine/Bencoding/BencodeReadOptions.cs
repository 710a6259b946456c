namespace GitTorrent.Engine.Bencoding;

/// <summary>How strict <see cref="BencodeReader"/> is.</summary>
public sealed record BencodeReadOptions
{
    /// <summary>Maximum nesting of lists and dictionaries (the outermost counts as 1).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Reject dictionaries whose keys are not in ascending byte order (BEP 3).</summary>
    public bool RequireSortedKeys { get; init; } = true;

    /// <summary>Everything BEP 3 requires: sorted unique keys, canonical integers, depth 64.</summary>
    public static BencodeReadOptions Strict { get; } = new();

    /// <summary>
    /// For messages from peers that are known to emit unsorted dictionaries (some extension
    /// handshakes). Duplicates, leading zeros and truncation are still rejected.
    /// </summary>
    public static BencodeReadOptions Lenient { get; } = new() { RequireSortedKeys = false };
}
