using GitTorrent.TestSupport.Bitcoin;
using GitTorrent.Cli.Commands;
using GitTorrent.Engine.Names;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// The Core wallet flow (createrawtransaction + fundrawtransaction + ...) against bcoin, which lacks it:
/// what is checked is that the refusal reaches the user as a clear one-line error, never a crash.
/// </summary>
public sealed class WalletRpcBcoinTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Wallet_flow_reports_the_node_refusal()
    {
        await using var node = await BcoinNode.StartAsync().WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(Timeout);
        var wallet = new BitcoinWalletRpc(node.Rpc);
        var e = await Assert.ThrowsAsync<BitcoinRpcException>(
            () => wallet.SendOpReturnAsync(NamePayload.EncodeClaim("cjb", Engine.Hash20.Sha1("k"u8)), cts.Token));
        Assert.Equal("createrawtransaction", e.Method);
        Assert.Equal(-32603, e.RpcCode);
        Assert.Contains(node.RpcUrl.ToString(), e.Message);
        Assert.Contains("zero-input", e.Message);
        Assert.Empty((await node.Rpc.CallAsync("getrawmempool", cts.Token)).EnumerateArray());
    }

    [Fact]
    public async Task Name_command_with_rpc_prints_the_payload_then_a_clear_error()
    {
        await using var node = await BcoinNode.StartAsync().WaitAsync(Timeout);
        var home = Directory.CreateTempSubdirectory("gittorrent-name-rpc-").FullName;
        try
        {
            var keyHash = new string('a', 40);
            async Task<(int, string, string)> Run(params string[] args)
            {
                var stdout = new StringWriter();
                var stderr = new StringWriter();
                var code = await NameCommand.RunAsync([.. args, "--home", home, "--keyhash", keyHash], stdout, stderr, CancellationToken.None)
                    .WaitAsync(Timeout);
                return (code, stdout.ToString(), stderr.ToString());
            }

            // Credentials in the URL's user info.
            var withUserInfo = new UriBuilder(node.RpcUrl) { UserName = "x", Password = BcoinNode.ApiKey }.Uri.ToString();
            var (code, output, error) = await Run("preorder", "cjb", "--rpc", withUserInfo);
            Assert.Equal(1, code);
            Assert.Matches("^67743f[0-9a-f]{40}\n$", output);
            Assert.StartsWith("gittorrent name: ", error);
            Assert.Contains("rejected createrawtransaction", error);
            Assert.Contains(node.RpcUrl.ToString(), error);
            Assert.DoesNotContain(BcoinNode.ApiKey + "@", error);

            var (code2, _, error2) = await Run("register", "cjb", "--rpc", node.RpcUrl.ToString(), "--rpc-user", "x", "--rpc-password", "wrong");
            Assert.Equal(1, code2);
            Assert.Contains("refused the credentials", error2);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
