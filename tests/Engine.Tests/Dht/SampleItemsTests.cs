using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>
/// <c>sample_items</c> (docs/PROTOCOL.md section 2): a node answers with up to 50 random targets of the salt-less
/// mutable items it stores, how many it holds and when to ask again; an answer that breaks the format is dropped and
/// counted as malformed.
/// </summary>
public sealed class SampleItemsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_node_samples_the_targets_of_its_saltless_mutable_items_at_most_fifty_per_answer()
    {
        await using var network = await TestNetwork.StartAsync(12);
        using var cts = new CancellationTokenSource(Timeout);
        var keys = Enumerable.Range(0, 80).Select(_ => Ed25519Key.Generate()).ToList();
        try
        {
            var value = new BString("{\"name\":\"x\"}").Encode();
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cts.Token },
                async (key, ct) => await network.Nodes[0].PutMutableAsync(key, value, 1, null, null, ct));
            await network.Nodes[0].PutMutableAsync(keys[0], value, 1, "salted"u8.ToArray(), null, cts.Token);
            var salted = Bep44.MutableTarget(keys[0].PublicKey, "salted"u8);

            // The node holding the most items answers: a sample of exactly what it holds without salt.
            var holders = new List<(DhtNode Node, HashSet<Hash20> Targets)>();
            foreach (var node in network.Nodes.Skip(1))
            {
                var stored = await node.GetStoredMutableItemsAsync(1000, cts.Token);
                holders.Add((node, stored.Where(i => i.Salt.Length == 0).Select(i => i.Target).ToHashSet()));
            }
            var (holder, targets) = holders.MaxBy(h => h.Targets.Count);
            Assert.True(targets.Count > DhtNode.MaxSamplesPerAnswer, $"the fullest node holds {targets.Count} items");

            var sample = await network.Nodes[0].SampleItemsAsync(holder.LocalEndPoint, Hash20.Random(), cts.Token);

            Assert.NotNull(sample);
            Assert.Equal(targets.Count, sample.Count);
            Assert.Equal(DhtNode.MaxSamplesPerAnswer, sample.Targets.Count);
            Assert.Equal(sample.Targets.Count, sample.Targets.Distinct().Count());
            Assert.All(sample.Targets, t => Assert.Contains(t, targets));
            Assert.DoesNotContain(salted, sample.Targets);
            Assert.Equal(DhtNode.SampleInterval, sample.Interval); // more than one answer holds: ask again soon
            Assert.NotEmpty(sample.Nodes);

            // A node that holds fewer than fifty gives them all and a longer interval.
            var (small, few) = holders.Where(h => h.Targets.Count is > 0 and <= DhtNode.MaxSamplesPerAnswer).Select(h => (h.Node, h.Targets))
                .DefaultIfEmpty((network.Nodes[0], new HashSet<Hash20>())).First();
            if (few.Count > 0)
            {
                var all = await network.Nodes[0].SampleItemsAsync(small.LocalEndPoint, Hash20.Random(), cts.Token);
                Assert.Equal(few.OrderBy(t => t.ToString()), all!.Targets.OrderBy(t => t.ToString()));
                Assert.Equal(DhtNode.SampleIntervalWhenComplete, all.Interval);
            }
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }

    [Theory]
    [InlineData("samples", 21)] // not a multiple of 20 bytes
    [InlineData("num", -1)]
    [InlineData("interval", 100_000)] // more than a day
    public async Task A_malformed_answer_is_dropped_and_counted(string broken, int value)
    {
        await using var network = await TestNetwork.StartAsync(2);
        using var cts = new CancellationTokenSource(Timeout);
        using var liar = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        var answering = AnswerOnceAsync(liar, broken, value, cts.Token);
        var before = network.Nodes[0].Statistics.MalformedDropped;

        var sample = await network.Nodes[0].SampleItemsAsync(liar.LocalEndPoint, Hash20.Random(), cts.Token);

        await answering;
        Assert.Null(sample);
        await Condition.WaitUntilAsync(() => network.Nodes[0].Statistics.MalformedDropped > before, "the malformed answer counted", Timeout);
    }

    /// <summary>Answers one <c>sample_items</c> query with a well-formed answer except for <paramref name="broken"/>.</summary>
    private static async Task AnswerOnceAsync(RawKrpcClient liar, string broken, int value, CancellationToken cancellationToken)
    {
        var (query, from) = await liar.ReceiveQueryAsync(cancellationToken);
        Assert.Equal(KrpcMethod.SampleItems, query.Method);
        liar.Respond(query, from, new BDictionary
        {
            ["samples"] = new byte[broken == "samples" ? value : 40],
            ["num"] = broken == "num" ? value : 2,
            ["interval"] = broken == "interval" ? value : 60,
        });
    }
}
