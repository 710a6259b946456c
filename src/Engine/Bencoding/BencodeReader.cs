namespace GitTorrent.Engine.Bencoding;

/// <summary>
/// Strict bencode decoder. Decoded strings and every value's <see cref="BValue.Raw"/> are slices of
/// the input, not copies: the caller must not reuse the input buffer while the values are in use.
/// </summary>
public static class BencodeReader
{
    [ThreadStatic]
    private static long t_keyComparisons;

    private static long s_tooManyKeys;

    /// <summary>Inputs refused in this process because a dictionary had more keys than allowed (a limit that bit).</summary>
    public static long TooManyKeysRefusals => Interlocked.Read(ref s_tooManyKeys);

    /// <summary>
    /// Dictionary keys compared by the decodes this thread has run: the measure of a decode's work that tests hold to
    /// n log n (every decode is synchronous, so a thread's count is its own).
    /// </summary>
    internal static long KeyComparisonsOnThisThread => t_keyComparisons;

    /// <summary>Decodes exactly one value that must span the whole input.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> input, out BValue value, out BencodeError error,
        BencodeReadOptions? options = null)
    {
        if (!TryDecodePrefix(input, out value, out var consumed, out error, options))
        {
            return false;
        }
        if (consumed != input.Length)
        {
            value = null!;
            error = BencodeError.TrailingData;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Decodes one value at the start of <paramref name="input"/> and reports how many bytes it took
    /// (BEP 9 data messages carry raw bytes after the dictionary).
    /// </summary>
    public static bool TryDecodePrefix(ReadOnlyMemory<byte> input, out BValue value, out int consumed,
        out BencodeError error, BencodeReadOptions? options = null)
    {
        var state = new State(input, options ?? BencodeReadOptions.Strict);
        var result = state.ReadValue(depth: 0);
        t_keyComparisons += state.KeyComparisons;
        consumed = state.Position;
        error = state.Error;
        value = result!;
        return result is not null;
    }

    /// <summary>Decodes one value spanning the whole input or throws <see cref="BencodeException"/>.</summary>
    public static BValue Decode(ReadOnlyMemory<byte> input, BencodeReadOptions? options = null)
    {
        var state = new State(input, options ?? BencodeReadOptions.Strict);
        var result = state.ReadValue(depth: 0);
        t_keyComparisons += state.KeyComparisons;
        if (result is null)
        {
            throw new BencodeException(state.Error, state.Position);
        }
        if (state.Position != input.Length)
        {
            throw new BencodeException(BencodeError.TrailingData, state.Position);
        }
        return result;
    }

    /// <summary>Decodes a value that must be a dictionary, or throws <see cref="BencodeException"/>.</summary>
    public static BDictionary DecodeDictionary(ReadOnlyMemory<byte> input, BencodeReadOptions? options = null) =>
        Decode(input, options) as BDictionary ?? throw new BencodeException(BencodeError.UnexpectedByte, 0);

    private struct State(ReadOnlyMemory<byte> input, BencodeReadOptions options)
    {
        private readonly ReadOnlyMemory<byte> _input = input;
        private readonly BencodeReadOptions _options = options;
        public int Position;
        public BencodeError Error;

        /// <summary>Comparisons of dictionary keys made so far (order checks, the sort and the duplicate check).</summary>
        public long KeyComparisons;

        public BValue? ReadValue(int depth)
        {
            var span = _input.Span;
            if (Position >= span.Length)
            {
                return Fail(BencodeError.Truncated);
            }
            var start = Position;
            BValue? value = span[Position] switch
            {
                (byte)'i' => ReadInteger(),
                (byte)'l' => ReadList(depth + 1),
                (byte)'d' => ReadDictionary(depth + 1),
                >= (byte)'0' and <= (byte)'9' => ReadString(),
                _ => Fail(BencodeError.UnexpectedByte),
            };
            if (value is not null)
            {
                value.Raw = _input[start..Position];
            }
            return value;
        }

        private BValue? Fail(BencodeError error)
        {
            Error = error;
            return null;
        }

        private BInteger? ReadInteger()
        {
            var span = _input.Span;
            Position++; // 'i'
            var negative = false;
            if (Position < span.Length && span[Position] == (byte)'-')
            {
                negative = true;
                Position++;
            }
            var digitsStart = Position;
            ulong magnitude = 0;
            while (Position < span.Length && span[Position] is >= (byte)'0' and <= (byte)'9')
            {
                var digit = (ulong)(span[Position] - '0');
                if (magnitude > (ulong.MaxValue - digit) / 10)
                {
                    return (BInteger?)Fail(BencodeError.IntegerOverflow);
                }
                magnitude = (magnitude * 10) + digit;
                Position++;
            }
            if (Position >= span.Length)
            {
                return (BInteger?)Fail(BencodeError.Truncated);
            }
            var digits = Position - digitsStart;
            if (span[Position] != (byte)'e')
            {
                return (BInteger?)Fail(BencodeError.UnexpectedByte);
            }
            if (digits == 0)
            {
                return (BInteger?)Fail(BencodeError.EmptyInteger);
            }
            if (digits > 1 && span[digitsStart] == (byte)'0')
            {
                return (BInteger?)Fail(BencodeError.LeadingZero);
            }
            if (negative && magnitude == 0)
            {
                return (BInteger?)Fail(BencodeError.NegativeZero);
            }
            long value;
            if (negative)
            {
                if (magnitude > (ulong)long.MaxValue + 1)
                {
                    return (BInteger?)Fail(BencodeError.IntegerOverflow);
                }
                value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
            }
            else
            {
                if (magnitude > long.MaxValue)
                {
                    return (BInteger?)Fail(BencodeError.IntegerOverflow);
                }
                value = (long)magnitude;
            }
            Position++; // 'e'
            return new BInteger(value);
        }

        private BString? ReadString()
        {
            var span = _input.Span;
            var digitsStart = Position;
            long length = 0;
            while (Position < span.Length && span[Position] is >= (byte)'0' and <= (byte)'9')
            {
                length = (length * 10) + (span[Position] - '0');
                if (length > int.MaxValue)
                {
                    return (BString?)Fail(BencodeError.LengthBeyondBuffer);
                }
                Position++;
            }
            if (Position >= span.Length)
            {
                return (BString?)Fail(BencodeError.Truncated);
            }
            if (span[Position] != (byte)':')
            {
                return (BString?)Fail(BencodeError.UnexpectedByte);
            }
            if (Position - digitsStart > 1 && span[digitsStart] == (byte)'0')
            {
                return (BString?)Fail(BencodeError.LeadingZero);
            }
            Position++; // ':'
            if (length > span.Length - Position)
            {
                return (BString?)Fail(BencodeError.LengthBeyondBuffer);
            }
            var bytes = _input.Slice(Position, (int)length);
            Position += (int)length;
            return new BString(bytes);
        }

        private BList? ReadList(int depth)
        {
            if (depth > _options.MaxDepth)
            {
                return (BList?)Fail(BencodeError.TooDeep);
            }
            Position++; // 'l'
            var list = new BList();
            while (true)
            {
                if (Position >= _input.Length)
                {
                    return (BList?)Fail(BencodeError.Truncated);
                }
                if (_input.Span[Position] == (byte)'e')
                {
                    Position++;
                    return list;
                }
                var item = ReadValue(depth);
                if (item is null)
                {
                    return null;
                }
                list.Add(item);
            }
        }

        private BDictionary? ReadDictionary(int depth)
        {
            if (depth > _options.MaxDepth)
            {
                return (BDictionary?)Fail(BencodeError.TooDeep);
            }
            Position++; // 'd'
            // Entries are appended as they come; keys out of order (lenient mode only) are put in order by one sort at
            // the end, which also brings duplicates next to each other: n log n on every input (an insertion per key
            // was quadratic for keys in descending order).
            var entries = new List<KeyValuePair<byte[], BValue>>();
            var sorted = true;
            while (true)
            {
                if (Position >= _input.Length)
                {
                    return (BDictionary?)Fail(BencodeError.Truncated);
                }
                var b = _input.Span[Position];
                if (b == (byte)'e')
                {
                    Position++;
                    break;
                }
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return (BDictionary?)Fail(BencodeError.NonStringKey);
                }
                if (entries.Count >= _options.MaxDictionaryKeys)
                {
                    Interlocked.Increment(ref s_tooManyKeys);
                    return (BDictionary?)Fail(BencodeError.TooManyKeys);
                }
                var key = ReadString();
                if (key is null)
                {
                    return null;
                }
                if (sorted && entries.Count > 0)
                {
                    KeyComparisons++;
                    var order = BDictionary.Compare(entries[^1].Key, key.Span);
                    if (order == 0)
                    {
                        return (BDictionary?)Fail(BencodeError.DuplicateKey);
                    }
                    if (order > 0)
                    {
                        if (_options.RequireSortedKeys)
                        {
                            return (BDictionary?)Fail(BencodeError.UnsortedKeys);
                        }
                        sorted = false;
                    }
                }
                var value = ReadValue(depth);
                if (value is null)
                {
                    return null;
                }
                entries.Add(new(key.Span.ToArray(), value));
            }
            if (!sorted)
            {
                var comparisons = 0L;
                entries.Sort((x, y) =>
                {
                    comparisons++;
                    return BDictionary.Compare(x.Key, y.Key);
                });
                KeyComparisons += comparisons;
                for (var i = 1; i < entries.Count; i++)
                {
                    KeyComparisons++;
                    if (BDictionary.Compare(entries[i - 1].Key, entries[i].Key) == 0)
                    {
                        return (BDictionary?)Fail(BencodeError.DuplicateKey);
                    }
                }
            }
            return BDictionary.FromSortedEntries(entries);
        }
    }
}
