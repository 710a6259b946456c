using GitTorrent.Engine.Profiles;

namespace GitTorrent.Engine.Tests.Profiles;

public sealed class UserIdentityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gt-id-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Rfc8032_test_1_public_key_and_signature()
    {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var id = UserIdentity.FromSeed(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(id.PublicKey));
        var signature = id.Sign([]);
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                     + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", Convert.ToHexStringLower(signature));
        Assert.True(UserIdentity.Verify(id.PublicKey, [], signature));
        signature[0] ^= 1;
        Assert.False(UserIdentity.Verify(id.PublicKey, [], signature));
        Assert.Equal(Hash20.Sha1(id.PublicKey), id.UserId);
    }

    [Fact]
    public void Saved_identity_loads_back_refuses_overwrite_and_is_private()
    {
        var path = Path.Combine(_dir, "identity");
        using var id = UserIdentity.Generate();
        id.Save(path);
        using var loaded = UserIdentity.Load(path);
        Assert.Equal(id.UserId, loaded.UserId);
        Assert.Throws<IOException>(() => id.Save(path));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(path) == (UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Fact]
    public void Damaged_or_missing_identity_gives_a_clear_error()
    {
        Directory.CreateDirectory(_dir);
        var missing = Assert.Throws<GitTorrentException>(() => UserIdentity.Load(Path.Combine(_dir, "nope")));
        Assert.Contains("gittorrent keygen", missing.Message);
        var bad = Path.Combine(_dir, "bad");
        File.WriteAllText(bad, "{\"type\":\"ed25519\",\"seed\":\"zz\"}");
        Assert.Throws<GitTorrentException>(() => UserIdentity.Load(bad));
        Assert.False(UserIdentity.Verify(new byte[31], [], new byte[64]));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }
}
