using GitTorrent.TestSupport.Bitcoin;
using System.Diagnostics;
using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Bench.Indexer;

/// <summary>
/// (a) Blocks per second the node serves (getblockhash + getblock raw, sequential, as the indexer asks) against
/// blocks and entries per second the indexer applies into PostgreSQL (OP_RETURN extraction, ownership resolver,
/// EfNameStore transactions), from the same blocks held in memory; plus the end-to-end rate against the node and
/// a synthetic entry-dense chain.
/// </summary>
internal static class NameIndexBenchmark
{
    public static async Task<int> RunAsync(string postgres, int blocks, double share, int denseBlocks, int denseEntries)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = cts.Token;
        await using var node = await BcoinNode.StartAsync().WaitAsync(ct);
        var clock = Stopwatch.StartNew();
        var (entries, txBlocks) = await BuildChainAsync(node, blocks, share, ct);
        Console.WriteLine($"chain: {blocks} blocks, {entries} name payloads in {txBlocks} blocks, built in {clock.Elapsed.TotalSeconds:F1} s");

        var client = new BitcoinRpcClient(node.Rpc, Network.RegTest);
        // Node rate: best of three sequential passes (later ones have warm caches on both sides).
        var hex = new string[blocks + 1];
        var nodeRate = 0.0;
        for (var pass = 0; pass < 3; pass++)
        {
            clock.Restart();
            for (var h = 0; h <= blocks; h++)
            {
                var hash = await client.GetBlockHashAsync(h, ct) ?? throw new InvalidOperationException($"no block {h}");
                hex[h] = await node.Rpc.GetBlockHexAsync(hash, ct);
            }
            nodeRate = Math.Max(nodeRate, (blocks + 1) / clock.Elapsed.TotalSeconds);
        }
        var chain = hex.Select(h => Block.Parse(h, Network.RegTest)).ToList();
        Console.WriteLine($"node: {nodeRate:F0} blocks/s (getblockhash + getblock raw)");

        // Each figure is the best of three runs into a fresh database, after a warm-up run (JIT tiers, EF model).
        var cached = new CachedBlockSource(chain);
        var batched = new ChainFollowerOptions();
        await ApplyAsync(postgres, cached, batched, ct);
        var (extractRate, _, _) = await BestOfAsync(() => FollowOnlyAsync(cached, ct));
        var (applyRate, applyEntries, applyDetail) = await BestOfAsync(() => ApplyAsync(postgres, cached, batched, ct));
        var (perBlockRate, _, _) = await ApplyAsync(postgres, cached, new ChainFollowerOptions { MaxBatchBlocks = 1 }, ct);
        var (endToEnd, _, _) = await BestOfAsync(() => ApplyAsync(postgres, client, batched, ct));
        var dense = new CachedBlockSource(BuildDenseChain(denseBlocks, denseEntries));
        var (denseRate, denseEntryRate, denseDetail) = await BestOfAsync(() => ApplyAsync(postgres, dense, batched, ct));

        Console.WriteLine();
        Console.WriteLine("| measurement | blocks/s | entries/s |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| bcoin getblockhash + getblock raw, {blocks + 1} blocks | {nodeRate:F0} | |");
        Console.WriteLine($"| follower + OP_RETURN extraction only, no database | {extractRate:F0} | |");
        Console.WriteLine($"| apply into PostgreSQL from memory, batched (default) | {applyRate:F0} | {applyEntries:F0} |");
        Console.WriteLine($"| apply into PostgreSQL from memory, one transaction per block | {perBlockRate:F0} | |");
        Console.WriteLine($"| end to end from bcoin into PostgreSQL | {endToEnd:F0} | |");
        Console.WriteLine($"| apply, synthetic chain of {denseBlocks} blocks x {denseEntries} entries | {denseRate:F0} | {denseEntryRate:F0} |");
        Console.WriteLine();
        Console.WriteLine($"best batched apply: {applyDetail}; synthetic chain: {denseDetail}");
        var ratio = applyRate / nodeRate;
        Console.WriteLine($"ratio apply / node = {ratio:F1}x (target >= 5x){(ratio >= 5 ? "" : "  BELOW TARGET")}");
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
        return 0;
    }

    private static async Task<Run> BestOfAsync(Func<Task<Run>> run)
    {
        var best = new Run(0, 0);
        for (var i = 0; i < 3; i++)
        {
            var result = await run();
            if (result.Blocks > best.Blocks)
            {
                best = result;
            }
        }
        return best;
    }

    private static async Task<Run> FollowOnlyAsync(IBlockSource source, CancellationToken ct)
    {
        var follower = new ChainFollower(source, new NullNameStore(), new ChainFollowerOptions { MaxReorgDepth = 0 });
        var clock = Stopwatch.StartNew();
        var result = await follower.SyncAsync(ct);
        return new Run(result.Applied / clock.Elapsed.TotalSeconds, result.Entries / clock.Elapsed.TotalSeconds);
    }

    private static async Task<Run> ApplyAsync(string postgres, IBlockSource source, ChainFollowerOptions options, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync(postgres, ct);
        var store = new TimedNameStore(new EfNameStore(database.Factory, "regtest", 1, TimeProvider.System));
        var follower = new ChainFollower(source, store, options with { MaxReorgDepth = 0 });
        var clock = Stopwatch.StartNew();
        var result = await follower.SyncAsync(ct);
        var seconds = clock.Elapsed.TotalSeconds;

        if (!result.CaughtUp)
        {
            throw new InvalidOperationException("the follower did not catch up");
        }
        var writes = store.Writes.Count <= 4
            ? string.Join(" + ", store.Writes.Select(w => $"{w.Took.TotalMilliseconds:F1}"))
            : $"{store.Writes.Sum(w => w.Took.TotalMilliseconds):F1}";
        return new Run(result.Applied / seconds, result.Entries / seconds,
            $"{seconds * 1000:F1} ms, {store.Writes.Count} transactions writing {writes} ms");
    }

    private sealed record Run(double Blocks, double Entries, string Detail = "");

    private static async Task<(int Entries, int Blocks)> BuildChainAsync(BcoinNode node, int blocks, double share, CancellationToken ct)
    {
        const int mature = 110;
        var random = new Random(6);
        var schedule = new Dictionary<int, List<byte[]>>();
        await node.MineAsync(mature).WaitAsync(ct);
        var (height, entries, txBlocks, empty) = (mature, 0, 0, 0);
        while (height < blocks)
        {
            var next = height + 1;
            var payloads = schedule.Remove(next, out var due) ? due : [];
            if (random.NextDouble() < share)
            {
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    payloads.Add(RandomPayload(random, next, schedule));
                }
            }
            if (payloads.Count == 0)
            {
                empty++;
                height++;
                continue;
            }
            await node.MineAsync(empty).WaitAsync(ct);
            empty = 0;
            foreach (var payload in payloads)
            {
                await node.SendOpReturnAsync(payload).WaitAsync(ct);
            }
            await node.MineAsync(1).WaitAsync(ct);
            (entries, txBlocks, height) = (entries + payloads.Count, txBlocks + 1, next);
        }
        await node.MineAsync(empty).WaitAsync(ct);
        return (entries, txBlocks);
    }

    /// <summary>CLAIMs, PREORDERs (most revealed by a REGISTER 1..150 blocks later) and REGISTERs without PREORDER.</summary>
    private static byte[] RandomPayload(Random random, int height, Dictionary<int, List<byte[]>> schedule, int names = 400)
    {
        var name = $"n{random.Next(names)}";
        var key = Hash20.Sha1(Encoding.UTF8.GetBytes($"key{random.Next(names / 2)}"));
        var salt = new byte[NamePayload.SaltLength];
        random.NextBytes(salt);
        switch (random.Next(10))
        {
            case < 4:
                return NamePayload.EncodeClaim(name, key);
            case < 9:
                if (random.Next(5) > 0)
                {
                    var at = height + random.Next(1, 150);
                    if (!schedule.TryGetValue(at, out var list))
                    {
                        schedule[at] = list = [];
                    }
                    list.Add(NamePayload.EncodeRegister(name, key, salt));
                }
                return NamePayload.EncodePreorder(name, key, salt);
            default:
                return NamePayload.EncodeRegister(name, key, salt);
        }
    }

    /// <summary>A chain of blocks that each carry <paramref name="perBlock"/> name transactions (no proof of work needed).</summary>
    private static List<Block> BuildDenseChain(int count, int perBlock)
    {
        var random = new Random(7);
        var schedule = new Dictionary<int, List<byte[]>>();
        var chain = new List<Block>(count);
        var previous = uint256.Zero;
        var time = DateTimeOffset.UtcNow.AddDays(-30);
        for (var height = 0; height < count; height++)
        {
            var block = Network.RegTest.Consensus.ConsensusFactory.CreateBlock();
            block.Header.HashPrevBlock = previous;
            block.Header.BlockTime = time.AddMinutes(10 * height);
            block.Header.Nonce = (uint)height;
            var payloads = schedule.Remove(height, out var due) ? due : [];
            while (payloads.Count < perBlock)
            {
                payloads.Add(RandomPayload(random, height, schedule, names: Math.Max(400, count * perBlock / 4)));
            }
            foreach (var payload in payloads)
            {
                var tx = Network.RegTest.CreateTransaction();
                tx.Inputs.Add(new TxIn(new OutPoint(RandomHash(random), 0)));
                tx.Outputs.Add(new TxOut(Money.Zero, new Script(OpReturnExtractor.BuildScript(payload))));
                block.Transactions.Add(tx);
            }
            block.UpdateMerkleRoot();
            chain.Add(block);
            previous = block.GetHash();
        }
        return chain;
    }

    private static uint256 RandomHash(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new uint256(bytes);
    }
}
