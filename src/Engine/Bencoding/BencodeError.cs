namespace GitTorrent.Engine.Bencoding;

/// <summary>Why a byte sequence is not acceptable bencode.</summary>
public enum BencodeError
{
    None = 0,
    /// <summary>The input ended inside a value.</summary>
    Truncated,
    /// <summary>A byte that cannot start a value, or a missing ':' / 'e'.</summary>
    UnexpectedByte,
    /// <summary>An integer or string length written with a leading zero (<c>i03e</c>, <c>03:abc</c>).</summary>
    LeadingZero,
    /// <summary>The integer <c>i-0e</c>.</summary>
    NegativeZero,
    /// <summary><c>ie</c> or <c>i-e</c>.</summary>
    EmptyInteger,
    /// <summary>An integer outside the range of a 64-bit signed integer.</summary>
    IntegerOverflow,
    /// <summary>A string length that runs past the end of the input.</summary>
    LengthBeyondBuffer,
    /// <summary>Lists and dictionaries nested deeper than the configured limit.</summary>
    TooDeep,
    /// <summary>Dictionary keys not in ascending byte order (where sorted keys are required).</summary>
    UnsortedKeys,
    /// <summary>The same key twice in one dictionary.</summary>
    DuplicateKey,
    /// <summary>A dictionary key that is not a byte string.</summary>
    NonStringKey,
    /// <summary>Bytes after the end of the top-level value.</summary>
    TrailingData,
    /// <summary>A dictionary with more keys than <see cref="BencodeReadOptions.MaxDictionaryKeys"/>.</summary>
    TooManyKeys,
}
