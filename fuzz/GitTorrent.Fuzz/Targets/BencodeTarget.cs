using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// <see cref="BencodeReader"/>, strict (BEP 3) or lenient (unsorted keys, as some extension handshakes send). Bad input is
/// TryDecode returning false and Decode throwing <see cref="BencodeException"/> with the same error; a value that decodes
/// must re-encode to the input (strict) or to canonical bencode that decodes strictly to the same bytes (lenient).
/// </summary>
public static class BencodeTarget
{
    public static void Run(byte[] input, BencodeReadOptions options)
    {
        var ok = BencodeReader.TryDecode(input, out var value, out var error, options);
        try
        {
            BencodeReader.Decode(input, options);
            FuzzInvariantException.Check(ok, "Decode accepted what TryDecode refused");
        }
        catch (BencodeException e)
        {
            FuzzInvariantException.Check(!ok && e.Error == error, "Decode refused what TryDecode accepted, or for another reason");
        }
        var prefixOk = BencodeReader.TryDecodePrefix(input, out var prefix, out var consumed, out _, options);
        FuzzInvariantException.Check(consumed >= 0 && consumed <= input.Length, "TryDecodePrefix consumed outside the input");
        if (!ok)
        {
            if (prefixOk)
            {
                FuzzInvariantException.Check(prefix.Raw.Length == consumed, "a prefix value's Raw is not what it consumed");
            }
            return;
        }
        FuzzInvariantException.Check(prefixOk && consumed == input.Length, "TryDecodePrefix disagrees with TryDecode");
        FuzzInvariantException.Check(value.Raw.Span.SequenceEqual(input), "Raw of the top value is not the input");
        var encoded = value.Encode();
        if (options.RequireSortedKeys)
        {
            FuzzInvariantException.Check(encoded.AsSpan().SequenceEqual(input), "strict bencode does not re-encode to itself");
        }
        else
        {
            FuzzInvariantException.Check(encoded.Length == input.Length, "lenient bencode re-encodes to another length");
            FuzzInvariantException.Check(BencodeReader.TryDecode(encoded, out var again, out _, BencodeReadOptions.Strict)
                && again.Encode().AsSpan().SequenceEqual(encoded), "the re-encoding of lenient bencode is not strict bencode");
        }
    }

    public static IEnumerable<byte[]> Seeds()
    {
        yield return new BDictionary
        {
            { "a", new BList { 1, -2, "x" } },
            { "info", new BDictionary { { "length", 5 }, { "name", "f" } } },
            { "z", long.MinValue },
        }.Encode();
        yield return new BList { new BList(), new BDictionary(), "", 0 }.Encode();
        yield return "d1:bi1e1:ai2ee"u8.ToArray(); // unsorted: lenient only
    }
}
