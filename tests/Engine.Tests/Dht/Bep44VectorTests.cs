using System.Text;
using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>The test vectors of BEP 44 ("Test vectors" section).</summary>
public sealed class Bep44VectorTests
{
    private static readonly byte[] PublicKey = Convert.FromHexString("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");

    /// <summary>BEP 44 gives the secret key in the 64-byte expanded form (clamped scalar, then nonce prefix).</summary>
    private static readonly byte[] ExpandedSecretKey = Convert.FromHexString(
        "e06d3183d14159228433ed599221b80bd0a5ce8352e4bdf0262f76786ef1c74d" +
        "b7e7a9fea2c0eb269d61e3b38e450a22e754941ac78479d6c54e1faf6037881d");

    private static readonly byte[] Value = Encoding.ASCII.GetBytes("12:Hello World!");

    private static readonly byte[] Signature1 = Convert.FromHexString(
        "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff" +
        "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");

    private static readonly byte[] Signature2 = Convert.FromHexString(
        "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d" +
        "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("foobar");

    [Fact]
    public void Test1_mutable_target_buffer_and_signature()
    {
        Assert.Equal("4a533d47ec9c7d95b1ad75f576cffc641853b750", Bep44.MutableTarget(PublicKey, default).ToString());
        var buffer = Bep44.SignatureBuffer(default, 1, Value);
        Assert.Equal("3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(buffer));
        Assert.True(Bep44.Verify(PublicKey, Signature1, buffer));
        Assert.True(Bep44.VerifyMutable(PublicKey, default, 1, Value, Signature1));
    }

    [Fact]
    public void Test2_mutable_with_salt_target_buffer_and_signature()
    {
        Assert.Equal("411eba73b6f087ca51a3795d9c8c938d365e32c1", Bep44.MutableTarget(PublicKey, Salt).ToString());
        var buffer = Bep44.SignatureBuffer(Salt, 1, Value);
        Assert.Equal("4:salt6:foobar3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(buffer));
        Assert.True(Bep44.VerifyMutable(PublicKey, Salt, 1, Value, Signature2));
    }

    [Fact]
    public void Test3_immutable_target()
    {
        Assert.Equal("e5f96f6f38320f0f33959cb4d3d656452117aadb", Bep44.ImmutableTarget(Value).ToString());
    }

    [Fact]
    public void Signing_through_the_expanded_key_reproduces_the_vector_signatures()
    {
        Assert.Equal(PublicKey, ExpandedKeySigner.PublicKey(ExpandedSecretKey));
        Assert.Equal(Signature1, ExpandedKeySigner.Sign(ExpandedSecretKey, Bep44.SignatureBuffer(default, 1, Value)));
        Assert.Equal(Signature2, ExpandedKeySigner.Sign(ExpandedSecretKey, Bep44.SignatureBuffer(Salt, 1, Value)));
    }

    [Fact]
    public void Seed_signing_with_NSec_equals_signing_through_the_expanded_seed()
    {
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var key = Ed25519Key.FromSeed(seed);
        var expanded = ExpandedKeySigner.Expand(seed);
        Assert.Equal(key.PublicKey, ExpandedKeySigner.PublicKey(expanded));
        var buffer = Bep44.SignatureBuffer(Salt, 42, Value);
        Assert.Equal(key.Sign(buffer), ExpandedKeySigner.Sign(expanded, buffer));
        Assert.Equal(key.SignMutable(Salt, 42, Value), key.Sign(buffer));
        // RFC 8032 test 1 public key for this seed.
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(key.PublicKey));
    }

    [Fact]
    public void Tampered_items_do_not_verify()
    {
        Assert.False(Bep44.VerifyMutable(PublicKey, default, 2, Value, Signature1));
        Assert.False(Bep44.VerifyMutable(PublicKey, Salt, 1, Value, Signature1));
        var other = (byte[])Value.Clone();
        other[5] ^= 1;
        Assert.False(Bep44.VerifyMutable(PublicKey, default, 1, other, Signature1));
        var badSig = (byte[])Signature1.Clone();
        badSig[10] ^= 0x80;
        Assert.False(Bep44.VerifyMutable(PublicKey, default, 1, Value, badSig));
        Assert.False(Bep44.VerifyMutable(PublicKey.AsSpan(0, 31), default, 1, Value, Signature1));
    }

    [Fact]
    public void Seed_round_trips_and_user_id_is_sha1_of_key()
    {
        using var key = Ed25519Key.Generate();
        using var again = Ed25519Key.FromSeed(key.ExportSeed());
        Assert.Equal(key.PublicKey, again.PublicKey);
        Assert.Equal(Hash20.Sha1(key.PublicKey), key.UserId);
    }
}
