using GitTorrent.TestSupport.Bitcoin;
using System.Diagnostics;
using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// Builds a long regtest chain on a real <see cref="BcoinNode"/> with a realistic, seeded mix of name payloads:
/// competing CLAIMs, PREORDERs revealed by REGISTERs in time, in the same block, too late or never, duplicate
/// PREORDERs, REGISTERs without a PREORDER, malformed GitTorrent payloads and foreign OP_RETURNs. Most blocks are
/// empty (mined in bulk); a block with payloads carries one to three OP_RETURN transactions.
/// </summary>
internal sealed class NameChainScenario
{
    private const int MatureHeight = 110;

    private NameChainScenario(int tip, int entries, int junk, int payloadBlocks, TimeSpan elapsed)
    {
        Tip = tip;
        Entries = entries;
        Junk = junk;
        PayloadBlocks = payloadBlocks;
        Elapsed = elapsed;
    }

    /// <summary>Height of the node's best block when done.</summary>
    public int Tip { get; }

    /// <summary>Well-formed CLAIM, PREORDER and REGISTER outputs on the chain (rows the indexer must store).</summary>
    public int Entries { get; }

    /// <summary>Malformed GitTorrent payloads and foreign OP_RETURNs (never stored).</summary>
    public int Junk { get; }

    public int PayloadBlocks { get; }

    public TimeSpan Elapsed { get; }

    public override string ToString() =>
        $"{Tip} blocks, {Entries} name entries and {Junk} junk outputs in {PayloadBlocks} blocks, built in {Elapsed.TotalSeconds:F1} s";

    /// <summary>Mines <paramref name="tip"/> blocks with payloads in about <paramref name="payloadBlockShare"/> of them.</summary>
    public static async Task<NameChainScenario> BuildAsync(BcoinNode node, int tip, double payloadBlockShare, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tip, MatureHeight + 10);
        var clock = Stopwatch.StartNew();
        var plan = Plan(tip, payloadBlockShare, new Random(seed));
        var (entries, junk) = (0, 0);
        await node.MineAsync(MatureHeight);
        var height = MatureHeight;
        foreach (var (at, payloads) in plan.OrderBy(p => p.Key))
        {
            await MineUpToAsync(node, at - 1, height);
            foreach (var payload in payloads)
            {
                await node.SendOpReturnAsync(payload);
                if (NamePayload.TryParse(payload, out _))
                {
                    entries++;
                }
                else
                {
                    junk++;
                }
            }
            await node.MineAsync(1);
            height = at;
        }
        await MineUpToAsync(node, tip, height);
        var reached = await node.GetBlockCountAsync();
        if (reached != tip)
        {
            throw new InvalidOperationException($"bcoin is at height {reached}, expected {tip}.");
        }
        return new NameChainScenario(tip, entries, junk, plan.Count, clock.Elapsed);
    }

    private static async Task MineUpToAsync(BcoinNode node, int target, int height)
    {
        while (height < target)
        {
            var count = Math.Min(500, target - height);
            await node.MineAsync(count);
            height += count;
        }
    }

    private static SortedDictionary<int, List<byte[]>> Plan(int tip, double share, Random random)
    {
        var names = Enumerable.Range(0, 24).Select(i => $"name-{i:D2}").Concat(["a", "zz", "torrent", "x-y-z"]).ToArray();
        var users = Enumerable.Range(0, 10).Select(i => Hash20.Sha1(Encoding.UTF8.GetBytes($"user-{i}"))).ToArray();
        var plan = new SortedDictionary<int, List<byte[]>>();
        void Add(int height, byte[] payload)
        {
            if (height > tip)
            {
                return; // a reveal planned after the end of the chain never happens
            }
            if (!plan.TryGetValue(height, out var list))
            {
                plan[height] = list = [];
            }
            list.Add(payload);
        }
        byte[] Salt()
        {
            var salt = new byte[NamePayload.SaltLength];
            random.NextBytes(salt);
            return salt;
        }

        for (var height = MatureHeight + 1; height <= tip; height++)
        {
            if (random.NextDouble() >= share)
            {
                continue;
            }
            var count = random.Next(1, 4);
            for (var i = 0; i < count; i++)
            {
                var name = names[random.Next(names.Length)];
                var user = users[random.Next(users.Length)];
                var pick = random.Next(100);
                if (pick < 30)
                {
                    Add(height, NamePayload.EncodeClaim(name, user));
                }
                else if (pick < 60)
                {
                    var salt = Salt();
                    Add(height, NamePayload.EncodePreorder(name, user, salt));
                    var reveal = random.Next(100);
                    var delay = reveal switch
                    {
                        < 65 => random.Next(1, NameOwnershipResolver.PreorderWindow + 1), // in time (144 is the last valid block)
                        < 75 => 0, // same block: not earlier
                        < 85 => random.Next(NameOwnershipResolver.PreorderWindow + 1, 220), // too late
                        _ => -1, // never revealed
                    };
                    if (delay >= 0)
                    {
                        Add(height + delay, NamePayload.EncodeRegister(name, user, salt));
                    }
                    if (random.Next(10) == 0)
                    {
                        Add(height + random.Next(1, 30), NamePayload.EncodePreorder(name, user, salt)); // duplicate C
                    }
                }
                else if (pick < 70)
                {
                    Add(height, NamePayload.EncodeRegister(name, user, Salt())); // no PREORDER
                }
                else if (pick < 80)
                {
                    // A PREORDER nobody reveals.
                    Add(height, NamePayload.EncodePreorder(names[random.Next(names.Length)], users[random.Next(users.Length)], Salt()));
                }
                else
                {
                    Add(height, JunkPayload(random, user));
                }
            }
        }
        return plan;
    }

    private static byte[] JunkPayload(Random random, Hash20 user) => random.Next(5) switch
    {
        0 => Encoding.ASCII.GetBytes($"@gittorrent!Bad_Name!{user}"),
        1 => Encoding.ASCII.GetBytes($"@gittorrent!short!{user.ToString()[..30]}"),
        2 => [.. "gt?"u8, .. new byte[7]],
        3 => [.. "gt!"u8, .. new byte[12]],
        _ => Encoding.ASCII.GetBytes($"someone else's data {random.Next()}"),
    };
}
