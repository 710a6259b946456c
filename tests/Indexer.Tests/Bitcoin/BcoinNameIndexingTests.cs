using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using GitTorrent.Indexer.Names;
using GitTorrent.Indexer.Tests.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// Names on a real bcoin regtest chain: payloads from the Engine's encoders (the bytes <c>gittorrent name</c>
/// prints) are sent in real transactions, the follower reads them back with the real RPC client.
/// </summary>
public sealed class BcoinNameIndexingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly Hash20 Alice = Hash20.Sha1("alice"u8);
    private static readonly Hash20 Bob = Hash20.Sha1("bob"u8);
    private static readonly byte[] SaltA = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

    /// <summary>
    /// Coinbases mature after 100 blocks; 150 leave 50 spendable coins, enough that a reorganisation (which
    /// makes the coinbases near the old tip immature again) still leaves coins the wallet can use.
    /// </summary>
    private const int FundingBlocks = 150;

    private static async Task<BcoinNode> StartFundedNodeAsync()
    {
        var node = await BcoinNode.StartAsync().WaitAsync(Timeout);
        await node.MineAsync(FundingBlocks).WaitAsync(Timeout);
        return node;
    }

    private static BitcoinRpcClient Client(BcoinNode node) => new(node.Rpc, Network.RegTest);

    private static async Task<(InMemoryNameStore Store, int Tip)> IndexAsync(BcoinNode node, InMemoryNameStore? store = null)
    {
        store ??= new InMemoryNameStore();
        var result = await new ChainFollower(Client(node), store).SyncAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.True(result.CaughtUp);
        return (store, result.Tip!.Value.Height);
    }

    private static NameResolution Resolve(string name, InMemoryNameStore store, int tip, int confirmations = 1) =>
        NameOwnershipResolver.Resolve(name, store.Entries, tip, confirmations);

    private static async Task<string> SendAndMineAsync(BcoinNode node, byte[] payload)
    {
        var txid = await node.SendOpReturnAsync(payload).WaitAsync(Timeout);
        await node.MineAsync(1).WaitAsync(Timeout);
        return txid;
    }

    [Fact]
    public async Task Rpc_client_reads_bcoin_blocks_and_reports_errors_clearly()
    {
        await using var node = await BcoinNode.StartAsync().WaitAsync(Timeout);
        var hashes = await node.MineAsync(3).WaitAsync(Timeout);
        var client = Client(node);
        using var cts = new CancellationTokenSource(Timeout);

        var info = await client.VerifyNetworkAsync(cts.Token);
        Assert.Equal("regtest", info.Chain);
        Assert.Equal(3, info.Blocks);
        Assert.Equal(hashes[^1], info.BestBlockHash);
        Assert.Equal(3, await client.GetTipHeightAsync(cts.Token));
        Assert.Equal(hashes[^1], await client.GetBestBlockHashAsync(cts.Token));
        Assert.Equal(hashes[1], await client.GetBlockHashAsync(2, cts.Token));
        Assert.Null(await client.GetBlockHashAsync(4, cts.Token));
        var block = await client.GetBlockAsync(hashes[1], cts.Token);
        Assert.Equal(hashes[1], block.GetHash().ToString());
        Assert.Equal(hashes[0], block.Header.HashPrevBlock.ToString());

        var wrongNetwork = new BitcoinRpcClient(node.Rpc, Network.Main);
        var e1 = await Assert.ThrowsAsync<BitcoinRpcException>(() => wrongNetwork.VerifyNetworkAsync(cts.Token));
        Assert.Contains("'regtest'", e1.Message);

        var badAuth = new BitcoinRpcClient(new BitcoinRpc(node.Http, node.RpcUrl, "x", "wrong"), Network.RegTest);
        var e2 = await Assert.ThrowsAsync<BitcoinRpcException>(() => badAuth.GetTipHeightAsync(cts.Token));
        Assert.Contains(node.RpcUrl.ToString(), e2.Message);
        Assert.Contains("credentials", e2.Message);

        var unknown = await Assert.ThrowsAsync<BitcoinRpcException>(() => node.Rpc.CallAsync("nosuchmethod", cts.Token));
        Assert.Equal(-32601, unknown.RpcCode);

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var nowhere = new BitcoinRpcClient(node.Http, new Uri($"http://127.0.0.1:{closedPort}/"), "x", "y", "regtest");
        var e3 = await Assert.ThrowsAsync<BitcoinRpcException>(() => nowhere.GetTipHeightAsync(cts.Token));
        Assert.Contains($"http://127.0.0.1:{closedPort}/", e3.Message);
        Assert.Contains("Cannot reach", e3.Message);
    }

    [Fact]
    public async Task First_come_wins_and_a_claim_after_a_preorder_loses_once_the_register_arrives()
    {
        await using var node = await StartFundedNodeAsync();

        await SendAndMineAsync(node, NamePayload.EncodeClaim("first", Bob));
        await SendAndMineAsync(node, NamePayload.EncodeClaim("first", Alice));

        var preorderTxid = await SendAndMineAsync(node, NamePayload.EncodePreorder("cjb", Alice, SaltA));
        var claimTxid = await SendAndMineAsync(node, NamePayload.EncodeClaim("cjb", Bob));
        var (store, tip) = await IndexAsync(node);

        var first = Resolve("first", store, tip);
        Assert.Equal(Bob, first.Owner);
        Assert.Equal(NameStatus.Settling, first.Status);
        Assert.Equal(2, first.Entries.Count);

        var before = Resolve("cjb", store, tip);
        Assert.Equal(Bob, before.Owner);
        Assert.Equal(claimTxid, before.OwnerEntry!.Txid);

        var registerTxid = await SendAndMineAsync(node, NamePayload.EncodeRegister("cjb", Alice, SaltA));
        (_, tip) = await IndexAsync(node, store);
        var after = Resolve("cjb", store, tip);
        Assert.Equal(Alice, after.Owner);
        Assert.Equal(registerTxid, after.OwnerEntry!.Txid);
        var preorder = after.Entries.Single(e => e.Entry.Kind == NameEntryKind.Preorder);
        Assert.Equal(preorderTxid, preorder.Entry.Txid);
        // Worked by hand: the PREORDER is the only transaction after the coinbase in its block (tx 1), with the
        // OP_RETURN as output 0; the REGISTER competes with that position and the claim at the next height loses.
        Assert.Equal(new NamePosition(FundingBlocks + 3, 1, 0), after.Priority);
        Assert.Equal(new NamePosition(FundingBlocks + 3, 1, 0), preorder.Entry.Position);
        Assert.Equal(FundingBlocks + 3 + 144, after.SettlesAtHeight);
        Assert.Equal(FundingBlocks + 5, after.OwnerEntry.Height);
        Assert.Equal(FundingBlocks + 4, after.Entries.Single(e => e.Entry.Txid == claimTxid).Entry.Height);
        Assert.Equal(FundingBlocks + 3, preorder.Entry.Height); // after the funding blocks and the two "first" claims
        Assert.Equal(NameEntryReasons.Outbid, after.Entries.Single(e => e.Entry.Txid == claimTxid).Reason);
        Assert.Equal(await node.GetBlockHashAsync(preorder.Entry.Height), preorder.Entry.BlockHash);
    }

    [Fact]
    public async Task Registers_without_or_with_a_too_old_preorder_are_ignored_and_junk_is_counted()
    {
        await using var node = await StartFundedNodeAsync();

        await SendAndMineAsync(node, NamePayload.EncodeRegister("orphan", Alice, SaltA));
        await SendAndMineAsync(node, NamePayload.EncodePreorder("late", Alice, SaltA));
        await node.MineAsync(144).WaitAsync(Timeout);
        await SendAndMineAsync(node, NamePayload.EncodeRegister("late", Alice, SaltA)); // 145 blocks after
        await SendAndMineAsync(node, NamePayload.EncodePreorder("ontime", Bob, SaltA));
        await node.MineAsync(143).WaitAsync(Timeout);
        await SendAndMineAsync(node, NamePayload.EncodeRegister("ontime", Bob, SaltA)); // 144 blocks after
        await SendAndMineAsync(node, Encoding.ASCII.GetBytes("@gittorrent!NotLower!" + Alice));
        await SendAndMineAsync(node, NamePayload.EncodeClaim(new string('q', 27), Bob)); // 80 bytes, OP_PUSHDATA1
        var (store, tip) = await IndexAsync(node);

        var orphan = Resolve("orphan", store, tip);
        Assert.Null(orphan.Owner);
        Assert.Equal(NameStatus.Pending, orphan.Status);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, Assert.Single(orphan.Entries).Reason);

        var late = Resolve("late", store, tip);
        Assert.Null(late.Owner);
        var lateRegister = late.Entries.Single(e => e.Entry.Kind == NameEntryKind.Register);
        Assert.Equal(NameEntryReasons.PreorderTooOld, lateRegister.Reason);
        Assert.Equal(145, lateRegister.Entry.Height - late.Entries.Single(e => e.Entry.Kind == NameEntryKind.Preorder).Entry.Height);

        var ontime = Resolve("ontime", store, tip);
        Assert.Equal(Bob, ontime.Owner);
        Assert.Equal(144, ontime.OwnerEntry!.Height - ontime.Priority!.Value.Height);

        Assert.Equal(Bob, Resolve(new string('q', 27), store, tip).Owner);
        var malformed = Assert.Single(store.Malformed);
        Assert.Equal(nameof(NamePayloadError.InvalidName), malformed.Reason);
    }

    [Fact]
    public async Task Entries_are_pending_until_confirmed_and_settle_after_144_blocks()
    {
        await using var node = await StartFundedNodeAsync();
        var txid = await node.SendOpReturnAsync(NamePayload.EncodeClaim("patient", Alice)).WaitAsync(Timeout);

        // In the mempool only: not on chain, so not indexed at all.
        var (store, tip) = await IndexAsync(node);
        Assert.Empty(store.Entries);

        await node.MineAsync(1).WaitAsync(Timeout);
        (_, tip) = await IndexAsync(node, store);
        var entry = Assert.Single(store.Entries);
        Assert.Equal(txid, entry.Txid);
        var young = Resolve("patient", store, tip, confirmations: 6);
        Assert.Null(young.Owner);
        Assert.Equal(NameStatus.Pending, young.Status);
        Assert.True(Assert.Single(young.Entries).Pending);
        Assert.Equal(Alice, Resolve("patient", store, tip, confirmations: 1).Owner);

        await node.MineAsync(5).WaitAsync(Timeout);
        (_, tip) = await IndexAsync(node, store);
        var confirmed = Resolve("patient", store, tip, confirmations: 6);
        Assert.Equal(Alice, confirmed.Owner);
        Assert.Equal(NameStatus.Settling, confirmed.Status);

        await node.MineAsync(entry.Height + 144 - tip - 1).WaitAsync(Timeout);
        (_, tip) = await IndexAsync(node, store);
        Assert.Equal(entry.Height + 143, tip);
        Assert.Equal(NameStatus.Settling, Resolve("patient", store, tip).Status);
        await node.MineAsync(1).WaitAsync(Timeout);
        (_, tip) = await IndexAsync(node, store);
        Assert.Equal(NameStatus.Settled, Resolve("patient", store, tip).Status);
    }

    [Fact]
    public async Task A_reorganisation_drops_orphaned_entries_and_picks_up_the_new_ones()
    {
        await using var node = await StartFundedNodeAsync();
        await SendAndMineAsync(node, NamePayload.EncodeClaim("stable", Alice));
        var forkHeight = await node.GetBlockCountAsync() + 1;
        var bobTxid = await SendAndMineAsync(node, NamePayload.EncodeClaim("contested", Bob));
        var orphans = new List<string> { await node.GetBlockHashAsync(forkHeight) };
        orphans.AddRange(await node.MineAsync(2).WaitAsync(Timeout));

        var (store, tip) = await IndexAsync(node);
        Assert.Equal(Bob, Resolve("contested", store, tip).Owner);

        // invalidateblock disconnects the fork block and its two descendants; Bob's claim does not come back.
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout));
        await node.InvalidateBlockAsync(orphans[0]).WaitAsync(Timeout);
        Assert.Equal(forkHeight - 1, await node.GetBlockCountAsync());
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout));
        var aliceTxid = await SendAndMineAsync(node, NamePayload.EncodeClaim("contested", Alice));
        await node.MineAsync(3).WaitAsync(Timeout);

        var follower = new ChainFollower(Client(node), store);
        var result = await follower.SyncAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(3, result.RolledBack);
        Assert.Equal(4, result.Applied);
        tip = result.Tip!.Value.Height;

        Assert.DoesNotContain(store.Entries, e => orphans.Contains(e.BlockHash));
        Assert.DoesNotContain(store.Entries, e => e.Txid == bobTxid);
        var contested = Resolve("contested", store, tip);
        Assert.Equal(Alice, contested.Owner);
        Assert.Equal(aliceTxid, contested.OwnerEntry!.Txid);
        Assert.Equal(forkHeight, contested.OwnerEntry.Height);
        Assert.Equal(Alice, Resolve("stable", store, tip).Owner);

        var (fresh, freshTip) = await IndexAsync(node);
        Assert.Equal(tip, freshTip);
        Assert.Equal(fresh.Checkpoints, store.Checkpoints);
        Assert.Equal(fresh.Entries, store.Entries);
    }

    [Fact]
    public async Task A_deep_reorganisation_that_orphans_a_preorder_invalidates_its_register()
    {
        await using var node = await StartFundedNodeAsync();
        var forkHeight = await node.GetBlockCountAsync() + 1;
        await SendAndMineAsync(node, NamePayload.EncodePreorder("deep", Alice, SaltA));
        await node.MineAsync(4).WaitAsync(Timeout);
        await SendAndMineAsync(node, NamePayload.EncodeRegister("deep", Alice, SaltA));
        await node.MineAsync(4).WaitAsync(Timeout);
        var store = new InMemoryNameStore();
        var (_, tip) = await IndexAsync(node, store);
        Assert.Equal(forkHeight + 9, tip);
        Assert.Equal(Alice, Resolve("deep", store, tip).Owner);

        // Orphan all 10 blocks from the preorder on; the new branch carries only the register (resent),
        // and Bob's claim, so the register now has no preorder and Bob owns the name.
        await node.InvalidateBlockAsync(await node.GetBlockHashAsync(forkHeight)).WaitAsync(Timeout);
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout)); // bcoin drops the orphaned preorder for good
        await SendAndMineAsync(node, NamePayload.EncodeClaim("deep", Bob));
        await SendAndMineAsync(node, NamePayload.EncodeRegister("deep", Alice, SaltA));
        await node.MineAsync(9).WaitAsync(Timeout);

        var result = await new ChainFollower(Client(node), store).SyncAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(10, result.RolledBack);
        Assert.Equal(11, result.Applied);
        tip = result.Tip!.Value.Height;
        var deep = Resolve("deep", store, tip);
        Assert.Equal(Bob, deep.Owner);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, deep.Entries.Single(e => e.Entry.Kind == NameEntryKind.Register).Reason);
        Assert.DoesNotContain(store.Entries, e => e.Kind == NameEntryKind.Preorder);

        var (fresh, _) = await IndexAsync(node);
        Assert.Equal(fresh.Checkpoints, store.Checkpoints);
        Assert.Equal(fresh.Entries, store.Entries);
    }

    [Fact]
    public async Task An_entry_moved_to_another_block_by_a_reorganisation_is_indexed_at_its_new_place()
    {
        await using var node = await StartFundedNodeAsync();
        var claimTxid = await SendAndMineAsync(node, NamePayload.EncodeClaim("moved", Alice));
        var oldHeight = await node.GetBlockCountAsync();
        var oldHash = await node.GetBlockHashAsync(oldHeight);
        var (store, tip) = await IndexAsync(node);
        Assert.Equal(oldHash, Assert.Single(store.Entries).BlockHash);

        // bcoin empties its mempool on invalidateblock; resending the raw transaction puts it in the new branch,
        // one block later than before, together with Bob's claim.
        var rawClaim = await node.GetRawTransactionAsync(claimTxid).WaitAsync(Timeout);
        await node.InvalidateBlockAsync(oldHash).WaitAsync(Timeout);
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout));
        await node.MineAsync(1).WaitAsync(Timeout);
        using (var cts = new CancellationTokenSource(Timeout))
        {
            Assert.Equal(claimTxid, await node.Rpc.SendRawTransactionAsync(rawClaim, cts.Token));
        }
        var pendingTxid = await node.SendOpReturnAsync(NamePayload.EncodeClaim("moved", Bob)).WaitAsync(Timeout);
        await node.MineAsync(1).WaitAsync(Timeout);

        var result = await new ChainFollower(Client(node), store).SyncAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(1, result.RolledBack);
        Assert.Equal(2, result.Applied);
        tip = result.Tip!.Value.Height;
        var moved = store.Entries.Single(e => e.Txid == claimTxid);
        Assert.NotEqual(oldHash, moved.BlockHash);
        Assert.Equal(oldHeight + 1, moved.Height);
        Assert.Equal(await node.GetBlockHashAsync(moved.Height), moved.BlockHash);
        Assert.Contains(store.Entries, e => e.Txid == pendingTxid);
        // Alice's claim and Bob's land in the same new block; the earlier transaction in it wins (bcoin's
        // miner orders by fee rate, so which one that is is not fixed here, only that the rule is applied).
        var resolution = Resolve("moved", store, tip);
        var winner = resolution.Entries.Where(e => e.Entry.Kind == NameEntryKind.Claim).MinBy(e => e.Entry.Position)!;
        Assert.Equal(winner.Entry.KeyHash, resolution.Owner);

        var (fresh, _) = await IndexAsync(node);
        Assert.Equal(fresh.Entries, store.Entries);
    }

    [Fact]
    public async Task The_payloads_gittorrent_name_prints_register_the_name()
    {
        await using var node = await StartFundedNodeAsync();
        var home = Directory.CreateTempSubdirectory("gittorrent-name-e2e-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(home, "userid"), Bob + "\n");
            async Task<byte[]> Print(string verb)
            {
                var stdout = new StringWriter();
                var stderr = new StringWriter();
                var code = await GitTorrent.Cli.Commands.NameCommand
                    .RunAsync(["name", verb, "printed", "--home", home], stdout, stderr, CancellationToken.None).WaitAsync(Timeout);
                Assert.True(code == 0, stderr.ToString());
                return Convert.FromHexString(stdout.ToString().Trim());
            }

            await SendAndMineAsync(node, await Print("preorder"));
            await SendAndMineAsync(node, NamePayload.EncodeClaim("printed", Alice)); // front-run attempt, too late
            await SendAndMineAsync(node, await Print("register"));
            var (store, tip) = await IndexAsync(node);
            var resolution = Resolve("printed", store, tip);
            Assert.Equal(Bob, resolution.Owner);
            Assert.Equal(NameEntryKind.Register, resolution.OwnerEntry!.Kind);
            Assert.Equal(3, resolution.Entries.Count);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
