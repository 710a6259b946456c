namespace GitTorrent.Engine.Bencoding;

/// <summary>How strict <see cref="BencodeReader"/> is.</summary>
public sealed record BencodeReadOptions
{
    /// <summary>Maximum nesting of lists and dictionaries (the outermost counts as 1).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Default of <see cref="MaxDictionaryKeys"/>.</summary>
    public const int DefaultMaxDictionaryKeys = 10_000;

    /// <summary>
    /// Most keys one dictionary may have; more is <see cref="BencodeError.TooManyKeys"/>. Default 10,000: every
    /// dictionary of the protocols spoken here has a few dozen keys at most, and a 1 MiB message can hold 140k.
    /// </summary>
    public int MaxDictionaryKeys { get; init; } = DefaultMaxDictionaryKeys;

    /// <summary>Reject dictionaries whose keys are not in ascending byte order (BEP 3).</summary>
    public bool RequireSortedKeys { get; init; } = true;

    /// <summary>Everything BEP 3 requires: sorted unique keys, canonical integers, depth 64, 10,000 keys a dictionary.</summary>
    public static BencodeReadOptions Strict { get; } = new();

    /// <summary>
    /// For messages from peers that are known to emit unsorted dictionaries (some extension
    /// handshakes). Duplicates, leading zeros and truncation are still rejected.
    /// </summary>
    public static BencodeReadOptions Lenient { get; } = new() { RequireSortedKeys = false };
}
