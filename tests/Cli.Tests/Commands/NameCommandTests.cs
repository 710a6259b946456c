using GitTorrent.TestSupport;
using System.Text.Json;
using GitTorrent.Cli.Commands;
using GitTorrent.Cli;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;

namespace GitTorrent.Cli.Tests.Commands;

public sealed class NameCommandTests : IDisposable
{
    private const string UserId = "81e24205d4bac8496d3e13282c90ead5045f09ea";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _home = Directory.CreateTempSubdirectory("gittorrent-name-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await NameCommand.RunAsync([.. args, "--home", _home], stdout, stderr, CancellationToken.None).WaitAsync(Timeout);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string SaltFile(string name) => Path.Combine(_home, "names", name + ".json");

    private (Hash20 KeyHash, byte[] Salt) Stored(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SaltFile(name)));
        var root = doc.RootElement;
        Assert.Equal(name, root.GetProperty("name").GetString());
        return (Hash20.Parse(root.GetProperty("keyHash").GetString()!), Convert.FromHexString(root.GetProperty("salt").GetString()!));
    }

    [Fact]
    public async Task Preorder_then_register_print_the_exact_payloads()
    {
        var (code, output, _) = await RunAsync("preorder", "cjb", "--keyhash", UserId);
        Assert.Equal(0, code);
        var preorderHex = output.Trim();
        Assert.Matches("^67743f[0-9a-f]{40}$", preorderHex);
        Assert.Equal(output, preorderHex + Environment.NewLine);

        var (key, salt) = Stored("cjb");
        Assert.Equal(UserId, key.ToString());
        Assert.Equal(16, salt.Length);
        Assert.Equal(Convert.ToHexStringLower(NamePayload.EncodePreorder("cjb", key, salt)), preorderHex);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SaltFile("cjb")));
        }

        var (code2, output2, _) = await RunAsync("name", "register", "cjb");
        Assert.Equal(0, code2);
        var registerHex = output2.Trim();
        Assert.Equal("677421" + UserId + Convert.ToHexStringLower(salt) + "636a62", registerHex);

        Assert.True(NamePayload.TryParse(Convert.FromHexString(preorderHex), out var preorder));
        Assert.True(NamePayload.TryParse(Convert.FromHexString(registerHex), out var register));
        Assert.Equal(preorder.Commitment, register.Commitment);
        Assert.Equal("cjb", register.Name);
    }

    [Fact]
    public async Task Preorder_keeps_the_salt_unless_asked_for_a_new_one()
    {
        var first = await RunAsync("preorder", "keep", "--keyhash", UserId);
        var again = await RunAsync("preorder", "keep", "--keyhash", UserId);
        Assert.Equal(0, again.Code);
        Assert.Equal(first.Out, again.Out);
        Assert.Contains("reusing the salt", again.Err);

        var renewed = await RunAsync("preorder", "keep", "--keyhash", UserId, "--new-salt");
        Assert.Equal(0, renewed.Code);
        Assert.NotEqual(first.Out, renewed.Out);
        var (key, salt) = Stored("keep");
        Assert.Equal(Convert.ToHexStringLower(NamePayload.EncodePreorder("keep", key, salt)), renewed.Out.Trim());

        var otherKey = await RunAsync("preorder", "keep", "--keyhash", new string('1', 40));
        Assert.Equal(1, otherKey.Code);
        Assert.Contains("--new-salt", otherKey.Err);
    }

    [Fact]
    public async Task The_keyhash_comes_from_the_userid_file_or_the_error_says_to_run_keygen()
    {
        var missing = await RunAsync("preorder", "alice");
        Assert.Equal(1, missing.Code);
        Assert.Equal("", missing.Out);
        Assert.Contains("gittorrent keygen", missing.Err);
        Assert.False(File.Exists(SaltFile("alice")));

        await File.WriteAllTextAsync(Path.Combine(_home, "userid"), UserId.ToUpperInvariant() + "\n");
        var ok = await RunAsync("preorder", "alice");
        Assert.Equal(0, ok.Code);
        Assert.Equal(UserId, Stored("alice").KeyHash.ToString());

        await File.WriteAllTextAsync(Path.Combine(_home, "userid"), "not an id");
        var bad = await RunAsync("preorder", "bob");
        Assert.Equal(1, bad.Code);
        Assert.Contains("userid", bad.Err);
    }

    [Fact]
    public async Task Register_needs_the_preorder_and_its_keyhash()
    {
        var none = await RunAsync("register", "ghost", "--keyhash", UserId);
        Assert.Equal(1, none.Code);
        Assert.Contains("gittorrent name preorder ghost", none.Err);
        Assert.Equal("", none.Out);

        await RunAsync("preorder", "ghost", "--keyhash", UserId);
        var mismatch = await RunAsync("register", "ghost", "--keyhash", new string('2', 40));
        Assert.Equal(1, mismatch.Code);
        Assert.Contains(UserId, mismatch.Err);

        await File.WriteAllTextAsync(SaltFile("ghost"), "{\"keyHash\":\"" + UserId + "\",\"salt\":\"zz\"}");
        var corrupt = await RunAsync("register", "ghost");
        Assert.Equal(1, corrupt.Code);
        Assert.Contains("salt", corrupt.Err);
    }

    [Theory]
    [InlineData("preorder", "Cjb")]
    [InlineData("preorder", "-cjb")]
    [InlineData("preorder", "cjb-")]
    [InlineData("register", "abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("delete", "cjb")]
    public async Task Bad_names_and_subcommands_fail_with_one_line(string verb, string name)
    {
        var (code, output, error) = await RunAsync(verb, name, "--keyhash", UserId);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gittorrent name: ", error);
    }

    [Fact]
    public async Task Options_are_checked()
    {
        Assert.Equal(1, (await RunAsync("preorder", "cjb", "--keyhash", "xyz")).Code);
        Assert.Equal(1, (await RunAsync("preorder", "cjb", "--keyhash")).Code);
        Assert.Equal(1, (await RunAsync("preorder", "cjb", "--keyhash", UserId, "--rpc", "ftp://x")).Code);
        Assert.Equal(1, (await RunAsync("preorder", "cjb", "--keyhash", UserId, "--bogus")).Code);
        Assert.Equal(1, (await RunAsync("register", "cjb", "--new-salt")).Code);
        var none = await NameCommand.RunAsync([], TextWriter.Null, new StringWriter(), CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(1, none);
        var bare = new StringWriter();
        Assert.Equal(1, await NameCommand.RunAsync(["name"], TextWriter.Null, bare, CancellationToken.None).WaitAsync(Timeout));
        Assert.StartsWith("gittorrent name: usage:", bare.ToString());
        Assert.Single(bare.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var help = await RunAsync("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("gittorrent name preorder <name>", help.Out);
    }

    [Fact]
    public async Task Rpc_to_a_node_that_is_not_there_fails_clearly_after_printing_the_payload()
    {
        var port = FreePorts.Tcp(); // nothing listens there
        var url = $"http://127.0.0.1:{port}/";
        var (code, output, error) = await RunAsync("preorder", "cjb", "--keyhash", UserId, "--rpc", url, "--rpc-user", "u", "--rpc-password", "p");
        Assert.Equal(1, code);
        Assert.Matches("^67743f[0-9a-f]{40}\n$", output);
        Assert.Contains(url, error);
        Assert.Contains("Cannot reach", error);
        Assert.True(File.Exists(SaltFile("cjb"))); // the salt is kept even though sending failed
    }

    [Fact]
    public async Task Through_the_gittorrent_dispatcher_the_keyhash_is_the_identity_made_by_keygen()
    {
        async Task<(int Code, string Out, string Err)> Gittorrent(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await new CliApp(CommandTable.Default, output, error)
                .RunAsync(["--home", _home, .. args], new Dictionary<string, string?>(), CancellationToken.None).WaitAsync(Timeout);
            return (code, output.ToString(), error.ToString());
        }

        var noIdentity = await Gittorrent("name", "preorder", "mine");
        Assert.Equal(1, noIdentity.Code);
        Assert.Contains("gittorrent keygen", noIdentity.Err);

        var keygen = await Gittorrent("keygen");
        Assert.Equal(0, keygen.Code);
        var userId = Hash20.Parse(keygen.Out.Trim());

        var preorder = await Gittorrent("name", "preorder", "mine");
        Assert.Equal(0, preorder.Code);
        var (key, salt) = Stored("mine");
        Assert.Equal(userId, key);
        Assert.Equal(Convert.ToHexStringLower(NamePayload.EncodePreorder("mine", userId, salt)), preorder.Out.Trim());

        var register = await Gittorrent("name", "register", "mine");
        Assert.Equal(0, register.Code);
        Assert.Equal(Convert.ToHexStringLower(NamePayload.EncodeRegister("mine", userId, salt)), register.Out.Trim());

        var help = await Gittorrent("name", "--help");
        Assert.Equal(0, help.Code);
        Assert.StartsWith("usage: gittorrent name preorder <name>", help.Out);
        Assert.Contains("       gittorrent name register <name>", help.Out);
    }
}
