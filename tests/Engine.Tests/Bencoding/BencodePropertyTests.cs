using System.Runtime.InteropServices;
using CsCheck;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Tests.Bencoding;

public sealed class BencodePropertyTests
{
    internal static readonly Gen<BValue> Value = Gen.Recursive<BValue>((depth, self) =>
    {
        var leaf = Gen.OneOf(
            Gen.Long.Select(v => (BValue)new BInteger(v)),
            Gen.Byte.Array[0, 40].Select(b => (BValue)new BString(b)));
        if (depth >= 4)
        {
            return leaf;
        }
        var list = self.List[0, 5].Select(items => (BValue)new BList(items));
        var dict = Gen.Select(Gen.Byte.Array[0, 8], self).List[0, 5].Select(entries =>
        {
            var d = new BDictionary();
            foreach (var (key, v) in entries)
            {
                d[key] = v;
            }
            return (BValue)d;
        });
        return Gen.Frequency((3, leaf), (1, list), (1, dict));
    });

    [Fact]
    public void Encode_then_decode_is_identity_on_bytes()
    {
        Value.Sample(v =>
        {
            var bytes = v.Encode();
            var decoded = BencodeReader.Decode(bytes);
            return decoded.Encode().AsSpan().SequenceEqual(bytes) && decoded.Raw.Span.SequenceEqual(bytes);
        }, iter: 2000);
    }

    [Fact]
    public void Any_prefix_of_a_valid_encoding_is_rejected_without_exception()
    {
        Value.Sample(v =>
        {
            var bytes = v.Encode();
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                if (BencodeReader.TryDecode(bytes.AsMemory(0, cut), out _, out _))
                {
                    return false;
                }
            }
            return true;
        }, iter: 300);
    }

    [Fact]
    public void Random_bytes_never_throw_anything_but_BencodeException()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            _ = BencodeReader.TryDecode(bytes, out _, out _);
            _ = BencodeReader.TryDecode(bytes, out _, out _, BencodeReadOptions.Lenient);
        }, iter: 20000);
    }

    [Fact]
    public void Lenient_decoding_of_shuffled_keys_gives_the_canonical_dictionary_and_refuses_duplicates()
    {
        var entries = Gen.Select(Gen.Byte.Array[0, 6], Value).List[0, 40];
        Gen.Select(entries, Gen.Int, Gen.Bool).Sample((list, seed, duplicate) =>
        {
            var canonical = new BDictionary();
            foreach (var (key, v) in list)
            {
                canonical[key] = v;
            }
            var shuffled = canonical.ToList();
            new Random(seed).Shuffle(CollectionsMarshal.AsSpan(shuffled));
            if (duplicate && shuffled.Count > 0)
            {
                shuffled.Add(shuffled[(seed & 0xffff) % shuffled.Count]);
            }
            var writer = new BencodeWriter();
            writer.BeginDictionary();
            foreach (var (key, v) in shuffled)
            {
                writer.WriteString(key.Span);
                v.WriteTo(writer);
            }
            writer.End();
            var bytes = writer.ToArray();
            var ok = BencodeReader.TryDecode(bytes, out var decoded, out var error, BencodeReadOptions.Lenient);
            if (duplicate && shuffled.Count > 0)
            {
                return !ok && error == BencodeError.DuplicateKey;
            }
            return ok && decoded.Encode().AsSpan().SequenceEqual(canonical.Encode()) && decoded.Raw.Span.SequenceEqual(bytes);
        }, iter: 2000);
    }
}
