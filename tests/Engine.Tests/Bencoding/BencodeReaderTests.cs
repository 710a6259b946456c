using System.Text;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Tests.Bencoding;

public sealed class BencodeReaderTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-7e", -7L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    public void Decodes_integers(string input, long expected)
    {
        var value = BencodeReader.Decode(B(input));
        Assert.Equal(expected, Assert.IsType<BInteger>(value).Value);
        Assert.Equal(input, Encoding.Latin1.GetString(value.Encode()));
    }

    [Theory]
    [InlineData("i03e", BencodeError.LeadingZero)]
    [InlineData("i-0e", BencodeError.NegativeZero)]
    [InlineData("i-03e", BencodeError.LeadingZero)]
    [InlineData("ie", BencodeError.EmptyInteger)]
    [InlineData("i-e", BencodeError.EmptyInteger)]
    [InlineData("i12", BencodeError.Truncated)]
    [InlineData("i1x2e", BencodeError.UnexpectedByte)]
    [InlineData("i9223372036854775808e", BencodeError.IntegerOverflow)]
    [InlineData("i-9223372036854775809e", BencodeError.IntegerOverflow)]
    [InlineData("i99999999999999999999999e", BencodeError.IntegerOverflow)]
    [InlineData("03:abc", BencodeError.LeadingZero)]
    [InlineData("5:abc", BencodeError.LengthBeyondBuffer)]
    [InlineData("99999999999:a", BencodeError.LengthBeyondBuffer)]
    [InlineData("3abc", BencodeError.UnexpectedByte)]
    [InlineData("", BencodeError.Truncated)]
    [InlineData("x", BencodeError.UnexpectedByte)]
    [InlineData("l1:a", BencodeError.Truncated)]
    [InlineData("d1:bi1e1:ai2ee", BencodeError.UnsortedKeys)]
    [InlineData("d1:ai1e1:ai2ee", BencodeError.DuplicateKey)]
    [InlineData("di1e1:ae", BencodeError.NonStringKey)]
    [InlineData("d1:a", BencodeError.Truncated)]
    [InlineData("i1ei2e", BencodeError.TrailingData)]
    public void Rejects_malformed_input(string input, BencodeError expected)
    {
        Assert.False(BencodeReader.TryDecode(B(input), out _, out var error));
        Assert.Equal(expected, error);
        var ex = Assert.Throws<BencodeException>(() => BencodeReader.Decode(B(input)));
        Assert.Equal(expected, ex.Error);
    }

    [Fact]
    public void Rejects_nesting_deeper_than_64()
    {
        var ok = new string('l', 64) + new string('e', 64);
        Assert.True(BencodeReader.TryDecode(B(ok), out _, out _));
        var deep = new string('l', 65) + new string('e', 65);
        Assert.False(BencodeReader.TryDecode(B(deep), out _, out var error));
        Assert.Equal(BencodeError.TooDeep, error);
        var veryDeep = new string('l', 100_000);
        Assert.False(BencodeReader.TryDecode(B(veryDeep), out _, out error));
        Assert.Equal(BencodeError.TooDeep, error);
    }

    [Fact]
    public void Lenient_mode_accepts_unsorted_keys_but_not_duplicates_and_keeps_raw_bytes()
    {
        var input = B("d1:bi1e1:ai2ee");
        Assert.True(BencodeReader.TryDecode(input, out var value, out _, BencodeReadOptions.Lenient));
        var dict = Assert.IsType<BDictionary>(value);
        Assert.Equal(2L, dict.GetInteger("a"));
        Assert.Equal(1L, dict.GetInteger("b"));
        Assert.Equal(input, dict.Raw.ToArray());
        Assert.Equal("d1:ai2e1:bi1ee", Encoding.Latin1.GetString(dict.Encode()));

        Assert.False(BencodeReader.TryDecode(B("d1:bi1e1:ai2e1:bi3ee"), out _, out var error, BencodeReadOptions.Lenient));
        Assert.Equal(BencodeError.DuplicateKey, error);
    }

    [Fact]
    public void Raw_of_a_sub_value_is_the_received_slice()
    {
        var input = B("d4:infod6:lengthi5e4:name1:xe3:onei1ee");
        var dict = BencodeReader.DecodeDictionary(input);
        var info = dict.GetDictionary("info")!;
        Assert.Equal("d6:lengthi5e4:name1:xe", Encoding.Latin1.GetString(info.Raw.Span));
        Assert.Equal("x", info.GetText("name"));
    }

    [Fact]
    public void Prefix_decoding_reports_consumed_bytes()
    {
        var input = B("d8:msg_typei1e5:piecei0eeRAWDATA");
        Assert.True(BencodeReader.TryDecodePrefix(input, out var value, out var consumed, out _));
        Assert.IsType<BDictionary>(value);
        Assert.Equal("RAWDATA", Encoding.Latin1.GetString(input, consumed, input.Length - consumed));
    }

    [Fact]
    public void Dictionary_built_in_code_encodes_sorted()
    {
        var dict = new BDictionary { { "z", 1 }, { "a", "x" }, { "m", new BList { 1, "two" } } };
        Assert.Equal("d1:a1:x1:mli1e3:twoe1:zi1ee", Encoding.Latin1.GetString(dict.Encode()));
    }

    [Fact]
    public void A_megabyte_of_keys_in_descending_order_is_refused_by_the_key_bound_after_reading_that_many()
    {
        var input = AttackPayloads.DescendingDictionary(140_000);
        Assert.InRange(input.Length, 900_000, 1 << 20);
        var refusals = BencodeReader.TooManyKeysRefusals;
        var before = BencodeReader.KeyComparisonsOnThisThread;

        Assert.False(BencodeReader.TryDecode(input, out _, out var error, BencodeReadOptions.Lenient));

        Assert.Equal(BencodeError.TooManyKeys, error);
        Assert.True(BencodeReader.TooManyKeysRefusals > refusals);
        // Refused at the bound, before any sorting: one order check per key read.
        Assert.InRange(BencodeReader.KeyComparisonsOnThisThread - before, 1, BencodeReadOptions.DefaultMaxDictionaryKeys);
        Assert.False(BencodeReader.TryDecode(AttackPayloads.DescendingDictionary(BencodeReadOptions.DefaultMaxDictionaryKeys + 1), out _, out error,
            BencodeReadOptions.Lenient));
        Assert.Equal(BencodeError.TooManyKeys, error);
        Assert.True(BencodeReader.TryDecode(AttackPayloads.DescendingDictionary(BencodeReadOptions.DefaultMaxDictionaryKeys), out _, out _,
            BencodeReadOptions.Lenient));
    }

    [Fact]
    public void Keys_in_descending_order_cost_n_log_n_comparisons_when_the_bound_allows_them()
    {
        const int Keys = 140_000;
        var input = AttackPayloads.DescendingDictionary(Keys);
        var options = BencodeReadOptions.Lenient with { MaxDictionaryKeys = 200_000 };
        var before = BencodeReader.KeyComparisonsOnThisThread;

        var dict = Assert.IsType<BDictionary>(BencodeReader.Decode(input, options));

        var comparisons = BencodeReader.KeyComparisonsOnThisThread - before;
        Assert.Equal(Keys, dict.Count);
        Assert.Equal([0, 0, 0], dict.Keys.First().Span.ToArray());
        Assert.True(dict.Keys.Zip(dict.Keys.Skip(1)).All(p => p.First.Span.SequenceCompareTo(p.Second.Span) < 0));
        Assert.Equal(input, dict.Raw.ToArray());
        // log2(140k) is about 17: a sort takes about n log n comparisons; insertion one by one would shift n^2 / 2 = 1e10 entries.
        Assert.InRange(comparisons, Keys, 3L * Keys * 17);
    }
}
