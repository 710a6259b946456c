using GitTorrent.TestSupport.Bitcoin;
using GitTorrent.TestSupport;
using System.Text;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using GitTorrent.Indexer.Names;
using GitTorrent.Indexer.Tests.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Tests.Bitcoin;

public sealed class SqliteBcoinNameIndexingTests() : BcoinNameIndexingTests(DatabaseProvider.Sqlite);

public sealed class PostgresBcoinNameIndexingTests() : BcoinNameIndexingTests(DatabaseProvider.Postgres);

/// <summary>
/// Names on a real bcoin regtest chain: payloads from the Engine's encoders (the bytes <c>gittorrent name</c>
/// prints) are sent in real transactions, the follower reads them back with the real RPC client into the real
/// database store (SQLite and PostgreSQL), and names are resolved by the lookup the name API uses.
/// </summary>
public abstract class BcoinNameIndexingTests(DatabaseProvider provider)
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

    private Task<IndexedNames> NewIndexAsync() => IndexedNames.CreateAsync(provider);

    /// <summary>Follows the node to its tip into <paramref name="index"/>; returns the tip height.</summary>
    private static async Task<int> IndexAsync(BcoinNode node, IndexedNames index) =>
        (await index.SyncAsync(Client(node))).Tip!.Value.Height;

    /// <summary>An index built from scratch now equals <paramref name="index"/>, table by table.</summary>
    private async Task AssertEqualsFreshIndexAsync(BcoinNode node, IndexedNames index, int tip)
    {
        await using var fresh = await NewIndexAsync();
        Assert.Equal(tip, await IndexAsync(node, fresh));
        Assert.Null(IndexTableDump.Difference(await fresh.DumpAsync(), await index.DumpAsync()));
    }

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

        var closedPort = FreePorts.Tcp(); // nothing listens there
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
        await using var index = await NewIndexAsync();
        await IndexAsync(node, index);

        var first = await index.ResolveAsync("first");
        Assert.Equal(Bob, first.Owner);
        Assert.Equal(NameStatus.Settling, first.Status);
        Assert.Equal(2, first.Entries.Count);

        var before = await index.ResolveAsync("cjb");
        Assert.Equal(Bob, before.Owner);
        Assert.Equal(claimTxid, before.OwnerEntry!.Txid);

        var registerTxid = await SendAndMineAsync(node, NamePayload.EncodeRegister("cjb", Alice, SaltA));
        await IndexAsync(node, index);
        var after = await index.ResolveAsync("cjb");
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
        await using var index = await NewIndexAsync();
        await IndexAsync(node, index);

        var orphan = await index.ResolveAsync("orphan");
        Assert.Null(orphan.Owner);
        Assert.Equal(NameStatus.Pending, orphan.Status);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, Assert.Single(orphan.Entries).Reason);

        var late = await index.ResolveAsync("late");
        Assert.Null(late.Owner);
        var lateRegister = late.Entries.Single(e => e.Entry.Kind == NameEntryKind.Register);
        Assert.Equal(NameEntryReasons.PreorderTooOld, lateRegister.Reason);
        Assert.Equal(145, lateRegister.Entry.Height - late.Entries.Single(e => e.Entry.Kind == NameEntryKind.Preorder).Entry.Height);

        var ontime = await index.ResolveAsync("ontime");
        Assert.Equal(Bob, ontime.Owner);
        Assert.Equal(144, ontime.OwnerEntry!.Height - ontime.Priority!.Value.Height);

        Assert.Equal(Bob, (await index.ResolveAsync(new string('q', 27))).Owner);
        var malformed = Assert.Single(index.Malformed);
        Assert.Equal(nameof(NamePayloadError.InvalidName), malformed.Reason);
    }

    [Fact]
    public async Task Entries_are_pending_until_confirmed_and_settle_after_144_blocks()
    {
        await using var node = await StartFundedNodeAsync();
        var txid = await node.SendOpReturnAsync(NamePayload.EncodeClaim("patient", Alice)).WaitAsync(Timeout);

        // In the mempool only: not on chain, so not indexed at all.
        await using var index = await NewIndexAsync();
        var tip = await IndexAsync(node, index);
        Assert.Empty(await index.RowsAsync());

        await node.MineAsync(1).WaitAsync(Timeout);
        tip = await IndexAsync(node, index);
        var entry = Assert.Single(await index.RowsAsync());
        Assert.Equal(txid, entry.Txid);
        Assert.Equal(tip, entry.BlockHeight);
        var height = entry.BlockHeight!.Value;
        var young = await index.ResolveAsync("patient", confirmations: 6);
        Assert.Null(young.Owner);
        Assert.Equal(NameStatus.Pending, young.Status);
        Assert.True(Assert.Single(young.Entries).Pending);
        Assert.Equal(Alice, (await index.ResolveAsync("patient", confirmations: 1)).Owner);

        await node.MineAsync(5).WaitAsync(Timeout);
        tip = await IndexAsync(node, index);
        var confirmed = await index.ResolveAsync("patient", confirmations: 6);
        Assert.Equal(Alice, confirmed.Owner);
        Assert.Equal(NameStatus.Settling, confirmed.Status);

        await node.MineAsync(height + 144 - tip - 1).WaitAsync(Timeout);
        tip = await IndexAsync(node, index);
        Assert.Equal(height + 143, tip);
        Assert.Equal(NameStatus.Settling, (await index.ResolveAsync("patient")).Status);
        await node.MineAsync(1).WaitAsync(Timeout);
        await IndexAsync(node, index);
        Assert.Equal(NameStatus.Settled, (await index.ResolveAsync("patient")).Status);
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

        await using var index = await NewIndexAsync();
        await IndexAsync(node, index);
        Assert.Equal(Bob, (await index.ResolveAsync("contested")).Owner);

        // invalidateblock disconnects the fork block and its two descendants; Bob's claim does not come back.
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout));
        await node.InvalidateBlockAsync(orphans[0]).WaitAsync(Timeout);
        Assert.Equal(forkHeight - 1, await node.GetBlockCountAsync());
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout));
        var aliceTxid = await SendAndMineAsync(node, NamePayload.EncodeClaim("contested", Alice));
        await node.MineAsync(3).WaitAsync(Timeout);

        var result = await index.SyncAsync(Client(node));
        Assert.Equal(3, result.RolledBack);
        Assert.Equal(4, result.Applied);
        var tip = result.Tip!.Value.Height;

        var rows = await index.RowsAsync();
        Assert.DoesNotContain(rows, e => orphans.Contains(e.BlockHash!));
        Assert.DoesNotContain(rows, e => e.Txid == bobTxid);
        var contested = await index.ResolveAsync("contested");
        Assert.Equal(Alice, contested.Owner);
        Assert.Equal(aliceTxid, contested.OwnerEntry!.Txid);
        Assert.Equal(forkHeight, contested.OwnerEntry.Height);
        Assert.Equal(Alice, (await index.ResolveAsync("stable")).Owner);
        await AssertEqualsFreshIndexAsync(node, index, tip);
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
        await using var index = await NewIndexAsync();
        Assert.Equal(forkHeight + 9, await IndexAsync(node, index));
        Assert.Equal(Alice, (await index.ResolveAsync("deep")).Owner);

        // Orphan all 10 blocks from the preorder on; the new branch carries only the register (resent),
        // and Bob's claim, so the register now has no preorder and Bob owns the name.
        await node.InvalidateBlockAsync(await node.GetBlockHashAsync(forkHeight)).WaitAsync(Timeout);
        Assert.Empty(await node.GetMempoolAsync().WaitAsync(Timeout)); // bcoin drops the orphaned preorder for good
        await SendAndMineAsync(node, NamePayload.EncodeClaim("deep", Bob));
        await SendAndMineAsync(node, NamePayload.EncodeRegister("deep", Alice, SaltA));
        await node.MineAsync(9).WaitAsync(Timeout);

        var result = await index.SyncAsync(Client(node));
        Assert.Equal(10, result.RolledBack);
        Assert.Equal(11, result.Applied);
        var tip = result.Tip!.Value.Height;
        var deep = await index.ResolveAsync("deep");
        Assert.Equal(Bob, deep.Owner);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, deep.Entries.Single(e => e.Entry.Kind == NameEntryKind.Register).Reason);
        Assert.DoesNotContain(await index.RowsAsync(), e => e.Kind == NameRegistrationKind.Preorder);
        await AssertEqualsFreshIndexAsync(node, index, tip);
    }

    [Fact]
    public async Task An_entry_moved_to_another_block_by_a_reorganisation_is_indexed_at_its_new_place()
    {
        await using var node = await StartFundedNodeAsync();
        var claimTxid = await SendAndMineAsync(node, NamePayload.EncodeClaim("moved", Alice));
        var oldHeight = await node.GetBlockCountAsync();
        var oldHash = await node.GetBlockHashAsync(oldHeight);
        await using var index = await NewIndexAsync();
        await IndexAsync(node, index);
        Assert.Equal(oldHash, Assert.Single(await index.RowsAsync()).BlockHash);

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

        var result = await index.SyncAsync(Client(node));
        Assert.Equal(1, result.RolledBack);
        Assert.Equal(2, result.Applied);
        var tip = result.Tip!.Value.Height;
        var rows = await index.RowsAsync();
        var moved = rows.Single(e => e.Txid == claimTxid);
        Assert.NotEqual(oldHash, moved.BlockHash);
        Assert.Equal(oldHeight + 1, moved.BlockHeight);
        Assert.Equal(await node.GetBlockHashAsync(oldHeight + 1), moved.BlockHash);
        Assert.Contains(rows, e => e.Txid == pendingTxid);
        // Alice's claim and Bob's land in the same new block (bcoin's miner orders by fee rate, so which comes first
        // is not fixed). PROTOCOL.md section 5: the lower position wins, i.e. the transaction bcoin put earlier in the
        // block, read here from bcoin's own block.
        var block = await Client(node).GetBlockAsync(moved.BlockHash!, CancellationToken.None).WaitAsync(Timeout);
        var order = block.Transactions.Select(t => t.GetHash().ToString()).ToList();
        Assert.Equal(3, order.Count); // the coinbase and the two claims
        var expectedOwner = order.IndexOf(claimTxid) < order.IndexOf(pendingTxid) ? Alice : Bob;
        var resolution = await index.ResolveAsync("moved");
        Assert.Equal(expectedOwner, resolution.Owner);
        Assert.Equal(new NamePosition(oldHeight + 1, Math.Min(order.IndexOf(claimTxid), order.IndexOf(pendingTxid)), 0),
            resolution.Priority);

        await AssertEqualsFreshIndexAsync(node, index, tip);
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
            await using var index = await NewIndexAsync();
            await IndexAsync(node, index);
            var resolution = await index.ResolveAsync("printed");
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
