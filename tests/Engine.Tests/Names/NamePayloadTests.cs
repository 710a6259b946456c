using System.Text;
using CsCheck;
using GitTorrent.Engine.Names;

namespace GitTorrent.Engine.Tests.Names;

public sealed class NamePayloadTests
{
    private const string KeyHex = "81e24205d4bac8496d3e13282c90ead5045f09ea";
    private static readonly Hash20 Key = Hash20.Parse(KeyHex);
    private static readonly byte[] Salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static NamePayloadError Reject(byte[] data)
    {
        Assert.False(NamePayload.TryParse(data, out var payload, out var error));
        Assert.Null(payload);
        return error;
    }

    // Vectors computed independently with Python: hashlib.sha256(b'gittorrent' + name + b'\0' + keyhash + salt).hexdigest()[:40]
    [Theory]
    [InlineData("alice", "adf1d21d170945d425c57cce9a0d095d0828072a")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a0c5f12db416b7174c7f59276351f3d2d71e744a")]
    public void Commitment_matches_independent_sha256(string name, string expected)
    {
        Assert.Equal(expected, NamePayload.ComputeCommitment(name, Key, Salt).ToString());
    }

    [Fact]
    public void Commitment_rejects_bad_salt_and_name()
    {
        Assert.Throws<ArgumentException>(() => NamePayload.ComputeCommitment("alice", Key, new byte[15]));
        Assert.Throws<ArgumentException>(() => NamePayload.ComputeCommitment("alice", Key, new byte[17]));
        Assert.Throws<ArgumentException>(() => NamePayload.ComputeCommitment("Alice", Key, Salt));
    }

    [Fact]
    public void Claim_parses_hand_built_bytes()
    {
        var data = Ascii("@gittorrent!cjb!" + KeyHex);
        Assert.True(NamePayload.TryParse(data, out var p, out var error));
        Assert.Equal(NamePayloadError.None, error);
        Assert.Equal(NameEntryKind.Claim, p.Kind);
        Assert.Equal("cjb", p.Name);
        Assert.Equal(Key, p.KeyHash);
        Assert.Null(p.Commitment);
        Assert.True(p.Salt.IsEmpty);
        Assert.Equal(data, NamePayload.EncodeClaim("cjb", Key));
    }

    [Fact]
    public void Claim_length_boundary_is_80_bytes()
    {
        var name27 = new string('a', 27);
        var data = Ascii($"@gittorrent!{name27}!{KeyHex}");
        Assert.Equal(80, data.Length);
        Assert.True(NamePayload.TryParse(data, out var p));
        Assert.Equal(name27, p.Name);
        Assert.Equal(data, NamePayload.EncodeClaim(name27, Key));

        var name28 = new string('a', 28);
        Assert.Equal(NamePayloadError.TooLong, Reject(Ascii($"@gittorrent!{name28}!{KeyHex}")));
        Assert.Throws<ArgumentException>(() => NamePayload.EncodeClaim(name28, Key));
    }

    [Theory]
    [InlineData("@gittorrent!Cjb!" + KeyHex, NamePayloadError.InvalidName)]
    [InlineData("@gittorrent!-cjb!" + KeyHex, NamePayloadError.InvalidName)]
    [InlineData("@gittorrent!cjb-!" + KeyHex, NamePayloadError.InvalidName)]
    [InlineData("@gittorrent!!" + KeyHex, NamePayloadError.InvalidName)]
    [InlineData("@gittorrent!c_b!" + KeyHex, NamePayloadError.InvalidName)]
    [InlineData("@gittorrent!c b!" + KeyHex, NamePayloadError.InvalidName)]
    [InlineData("@gittorrent!cjb!81E24205D4BAC8496D3E13282C90EAD5045F09EA", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb!81e24205d4bac8496d3e13282c90ead5045f09eA", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb!" + KeyHex + "0", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb!" + KeyHex + "\n", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb!" + KeyHex + "!", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb!81e24205d4bac8496d3e13282c90ead5045f09e", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb!81e24205d4bac8496d3e13282c90ead5045f09eg", NamePayloadError.BadKeyHash)]
    [InlineData("@gittorrent!cjb", NamePayloadError.MissingSeparator)]
    [InlineData("@gittorrent!", NamePayloadError.MissingSeparator)]
    [InlineData("@gittorrent?cjb!" + KeyHex, NamePayloadError.NotGitTorrent)]
    [InlineData("@GitTorrent!cjb!" + KeyHex, NamePayloadError.NotGitTorrent)]
    [InlineData("", NamePayloadError.NotGitTorrent)]
    [InlineData("hello world", NamePayloadError.NotGitTorrent)]
    [InlineData("gt", NamePayloadError.NotGitTorrent)]
    public void Claim_rejections_have_reasons(string text, NamePayloadError expected)
    {
        Assert.Equal(expected, Reject(Ascii(text)));
    }

    [Fact]
    public void Preorder_is_prefix_and_exactly_20_bytes()
    {
        var c = NamePayload.ComputeCommitment("alice", Key, Salt);
        var data = Concat([0x67, 0x74, 0x3f], c.ToArray());
        Assert.Equal(23, data.Length);
        Assert.True(NamePayload.TryParse(data, out var p));
        Assert.Equal(NameEntryKind.Preorder, p.Kind);
        Assert.Equal(c, p.Commitment);
        Assert.Null(p.Name);
        Assert.Null(p.KeyHash);
        Assert.Equal(data, NamePayload.EncodePreorder(c));
        Assert.Equal(data, NamePayload.EncodePreorder("alice", Key, Salt));
        Assert.Equal("67743fadf1d21d170945d425c57cce9a0d095d0828072a", Convert.ToHexStringLower(data));

        Assert.Equal(NamePayloadError.BadLength, Reject(data[..22]));
        Assert.Equal(NamePayloadError.BadLength, Reject(Concat(data, [0x00])));
        Assert.Equal(NamePayloadError.BadLength, Reject([0x67, 0x74, 0x3f]));
        Assert.Equal(NamePayloadError.TooLong, Reject(Concat(data, new byte[58])));
    }

    [Fact]
    public void Register_parses_hand_built_bytes()
    {
        var data = Concat([0x67, 0x74, 0x21], Key.ToArray(), Salt, Ascii("alice"));
        Assert.Equal(44, data.Length);
        Assert.True(NamePayload.TryParse(data, out var p));
        Assert.Equal(NameEntryKind.Register, p.Kind);
        Assert.Equal("alice", p.Name);
        Assert.Equal(Key, p.KeyHash);
        Assert.Equal(Salt, p.Salt.ToArray());
        Assert.Equal(Hash20.Parse("adf1d21d170945d425c57cce9a0d095d0828072a"), p.Commitment);
        Assert.Equal(data, NamePayload.EncodeRegister("alice", Key, Salt));
        Assert.Equal(data, NamePayload.Encode(p));
    }

    [Fact]
    public void Register_name_length_boundaries()
    {
        byte[] Build(string name) => Concat(Ascii("gt!"), Key.ToArray(), Salt, Ascii(name));

        Assert.True(NamePayload.TryParse(Build("a"), out var one));
        Assert.Equal("a", one.Name);
        Assert.Equal(40, Build("a").Length);
        var name32 = new string('z', 32);
        Assert.True(NamePayload.TryParse(Build(name32), out var max));
        Assert.Equal(name32, max.Name);
        Assert.Equal(71, Build(name32).Length);

        Assert.Equal(NamePayloadError.BadLength, Reject(Build("")));
        Assert.Equal(NamePayloadError.BadLength, Reject(Build(new string('z', 33))));
        Assert.Equal(NamePayloadError.BadLength, Reject(Concat(Ascii("gt!"), Key.ToArray())));
        Assert.Equal(NamePayloadError.BadLength, Reject(Build(new string('z', 41)))); // exactly 80 bytes
        Assert.Equal(NamePayloadError.TooLong, Reject(Build(new string('z', 42))));
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData("-alice")]
    [InlineData("alice-")]
    [InlineData("-")]
    [InlineData("al.ce")]
    [InlineData("alicé")]
    [InlineData("al ce")]
    public void Register_with_invalid_name_is_rejected(string name)
    {
        var data = Concat(Ascii("gt!"), Key.ToArray(), Salt, Encoding.UTF8.GetBytes(name));
        Assert.Equal(NamePayloadError.InvalidName, Reject(data));
    }

    [Fact]
    public void Register_with_a_nul_in_the_name_is_rejected()
    {
        var data = Concat(Ascii("gt!"), Key.ToArray(), Salt, [(byte)'a', 0x00, (byte)'b']);
        Assert.Equal(NamePayloadError.InvalidName, Reject(data));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("0", true)]
    [InlineData("a-b", true)]
    [InlineData("a--b", true)]
    [InlineData("9lives", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a_b", false)]
    public void Name_rule_matches_the_spec_regex(string name, bool valid)
    {
        var regex = new System.Text.RegularExpressions.Regex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$");
        Assert.Equal(regex.IsMatch(name), valid);
        Assert.Equal(valid, NamePayload.IsValidName(name.AsSpan()));
        Assert.Equal(valid, NamePayload.IsValidName(Ascii(name).AsSpan()));
    }

    [Fact]
    public void Name_rule_agrees_with_the_regex_on_random_strings()
    {
        var regex = new System.Text.RegularExpressions.Regex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$");
        Gen.String[Gen.Char["az09-A_."], 0, 36].Sample(name =>
            regex.IsMatch(name) == NamePayload.IsValidName(name.AsSpan())
            && regex.IsMatch(name) == NamePayload.IsValidName(Ascii(name).AsSpan()));
    }

    private static readonly Gen<string> GenName =
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 1, 32].Where(n => NamePayload.IsValidName(n.AsSpan()));

    private static readonly Gen<Hash20> GenHash = Gen.Byte.Array[20].Select(b => new Hash20(b));

    [Fact]
    public void Register_and_preorder_round_trip_and_commit_to_the_same_c()
    {
        Gen.Select(GenName, GenHash, Gen.Byte.Array[16]).Sample((name, key, salt) =>
        {
            var register = NamePayload.EncodeRegister(name, key, salt);
            var preorder = NamePayload.EncodePreorder(name, key, salt);
            return NamePayload.TryParse(register, out var r) && NamePayload.TryParse(preorder, out var p)
                && r.Name == name && r.KeyHash == key && r.Salt.Span.SequenceEqual(salt)
                && r.Commitment == p.Commitment
                && NamePayload.Encode(r).AsSpan().SequenceEqual(register)
                && NamePayload.Encode(p).AsSpan().SequenceEqual(preorder);
        });
    }

    [Fact]
    public void Claim_round_trips_for_names_that_fit()
    {
        Gen.Select(GenName.Where(n => n.Length <= NamePayload.MaxClaimNameLength), GenHash).Sample((name, key) =>
            NamePayload.TryParse(NamePayload.EncodeClaim(name, key), out var c)
            && c.Kind == NameEntryKind.Claim && c.Name == name && c.KeyHash == key);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 100].Sample(bytes =>
        {
            var ok = NamePayload.TryParse(bytes, out var p, out var error);
            return ok ? error == NamePayloadError.None && p is not null : error != NamePayloadError.None;
        });
    }

    [Fact]
    public void Encoders_reject_invalid_names()
    {
        Assert.Throws<ArgumentException>(() => NamePayload.EncodeRegister("Bad", Key, Salt));
        Assert.Throws<ArgumentException>(() => NamePayload.EncodeRegister("ok", Key, new byte[8]));
        Assert.Throws<ArgumentException>(() => NamePayload.EncodeClaim("a-", Key));
        Assert.Throws<ArgumentException>(() => NameEntryPayload.Register(new string('a', 33), Key, Salt));
    }
}
