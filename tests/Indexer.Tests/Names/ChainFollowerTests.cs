using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Names;

public sealed class ChainFollowerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Hash20 KeyOf(uint branch) => Hash20.Sha1(BitConverter.GetBytes(branch));

    /// <summary>Each block holds a CLAIM of "n&lt;height&gt;" by the branch's key, a shared name "both", and one junk OP_RETURN.</summary>
    private static Func<int, byte[][][]> Contents(uint branch) => height =>
    [
        [TestBlocks.OpReturn(NamePayload.EncodeClaim($"n{height}", KeyOf(branch)))],
        [[0x6a, 0x51], TestBlocks.OpReturn(NamePayload.EncodeClaim("both", KeyOf(branch)))],
    ];

    private static async Task<InMemoryNameStore> IndexFromScratchAsync(InMemoryBlockSource source)
    {
        var store = new InMemoryNameStore();
        await new ChainFollower(source, store).SyncAsync(Ct).WaitAsync(Timeout);
        return store;
    }

    private static void AssertSameState(InMemoryNameStore expected, InMemoryNameStore actual)
    {
        Assert.Equal(expected.Checkpoints, actual.Checkpoints);
        Assert.Equal(expected.Entries, actual.Entries);
        Assert.Equal(expected.Malformed, actual.Malformed);
    }

    [Fact]
    public async Task Indexes_every_block_once_and_then_only_new_ones()
    {
        var source = TestBlocks.Chain(20, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store);

        var first = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(20, first.Applied);
        Assert.Equal(0, first.RolledBack);
        Assert.True(first.CaughtUp);
        Assert.Equal(19 * 2, first.Entries);
        Assert.Equal(19, first.Malformed);
        Assert.Equal(new ChainCheckpoint(19, source.Chain[19].GetHash().ToString()), first.Tip);
        Assert.Equal(source.Chain.Select((b, h) => new ChainCheckpoint(h, b.GetHash().ToString())), store.Checkpoints);
        Assert.Equal(19 * 2, store.Entries.Count);

        var again = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(0, again.Applied);
        Assert.Equal(20, store.ApplyCalls);

        TestBlocks.Extend(source, 3, branch: 0, Contents(0));
        var more = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(3, more.Applied);
        Assert.Equal(22, more.Tip!.Value.Height);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task A_reorganisation_of_depth_n_rolls_back_exactly_the_orphans(int depth)
    {
        var source = TestBlocks.Chain(30, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        var orphaned = source.Chain.Skip(30 - depth).Select(b => b.GetHash().ToString()).ToHashSet();

        source.TruncateAbove(29 - depth);
        TestBlocks.Extend(source, depth + 1, branch: 1, Contents(1));
        var result = await follower.SyncAsync(Ct).WaitAsync(Timeout);

        Assert.Equal(depth, result.RolledBack);
        Assert.Equal(depth + 1, result.Applied);
        Assert.DoesNotContain(store.Entries, e => orphaned.Contains(e.BlockHash));
        AssertSameState(await IndexFromScratchAsync(source), store);

        // Worked by hand, independent of a second run of the follower: heights 1..30 each hold a CLAIM of n<h> at tx 1
        // output 0 and a CLAIM of "both" at tx 2 output 1 (output 0 is the junk OP_RETURN); heights up to 29 - depth
        // come from branch 0, the rest from branch 1; the blocks are those of the chain as it is now.
        var expected = Enumerable.Range(1, 30).SelectMany(h => new[]
        {
            (new NamePosition(h, 1, 0), $"n{h}", KeyOf(h <= 29 - depth ? 0u : 1u), source.Chain[h].GetHash().ToString()),
            (new NamePosition(h, 2, 1), "both", KeyOf(h <= 29 - depth ? 0u : 1u), source.Chain[h].GetHash().ToString()),
        }).ToList();
        Assert.Equal(expected, store.Entries.OrderBy(e => e.Position).Select(e => (e.Position, e.Name!, e.KeyHash!.Value, e.BlockHash)).ToList());
        Assert.Equal(31, store.Checkpoints.Count);
        Assert.Equal(new ChainCheckpoint(30, source.Chain[30].GetHash().ToString()), store.Checkpoints[^1]);

        // Ownership follows the new branch: "both" was claimed at height 1 by branch 0, untouched by the reorg;
        // the names of the replaced heights now belong to branch 1.
        var tip = source.Tip;
        Assert.Equal(KeyOf(0), NameOwnershipResolver.Resolve("both", store.Entries, tip, 1).Owner);
        Assert.Equal(KeyOf(1), NameOwnershipResolver.Resolve($"n{30 - depth}", store.Entries, tip, 1).Owner);
        Assert.Equal(KeyOf(0), NameOwnershipResolver.Resolve($"n{29 - depth}", store.Entries, tip, 1).Owner);
    }

    [Fact]
    public async Task A_shorter_node_chain_rolls_back_above_its_tip()
    {
        var source = TestBlocks.Chain(15, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);

        source.TruncateAbove(11); // like invalidateblock on block 12 with nothing mined after
        var result = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(3, result.RolledBack);
        Assert.Equal(0, result.Applied);
        Assert.Equal(11, result.Tip!.Value.Height);
        AssertSameState(await IndexFromScratchAsync(source), store);
    }

    [Fact]
    public async Task A_reorganisation_in_the_middle_of_a_sync_is_noticed()
    {
        var source = TestBlocks.Chain(25, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { MaxBatchBlocks = 1 });
        var reorganised = false;
        source.BeforeGetBlock = calls =>
        {
            if (calls == 10 && !reorganised)
            {
                reorganised = true;
                source.TruncateAbove(5); // the follower has applied heights 0..8 by now
                TestBlocks.Extend(source, 22, branch: 2, Contents(2));
            }
        };
        var result = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.True(reorganised);
        Assert.True(result.CaughtUp);
        // Heights 6..8 were applied before the switch; block 9 was fetched by its old hash and still fits
        // on 8, so it is applied too, and the walk-back starts at block 10 whose parent no longer matches.
        Assert.Equal(4, result.RolledBack);
        AssertSameState(await IndexFromScratchAsync(source), store);
    }

    [Fact]
    public async Task A_reorganisation_in_the_middle_of_a_batch_drops_the_unwritten_blocks()
    {
        var source = TestBlocks.Chain(25, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { MaxBatchBlocks = 100 });
        var reorganised = false;
        source.BeforeGetBlock = calls =>
        {
            if (calls == 10 && !reorganised)
            {
                reorganised = true;
                source.TruncateAbove(5); // heights 0..8 were read but are not written yet
                TestBlocks.Extend(source, 22, branch: 2, Contents(2));
            }
        };
        var result = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.True(reorganised);
        Assert.True(result.CaughtUp);
        Assert.Equal(0, result.RolledBack); // nothing of the abandoned branch reached the store
        Assert.Equal(0, store.RollbackCalls);
        AssertSameState(await IndexFromScratchAsync(source), store);
    }

    [Fact]
    public async Task Batches_are_written_whole_and_in_order()
    {
        var source = TestBlocks.Chain(30, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { MaxBatchBlocks = 8, MaxBatchDuration = TimeSpan.FromHours(1) });
        var result = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.True(result.CaughtUp);
        Assert.Equal(30, result.Applied); // heights 0..29
        Assert.Equal([8, 8, 8, 6], store.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 30), store.Batches.SelectMany(b => b));
        AssertSameState(await IndexFromScratchAsync(source), store);
    }

    [Fact]
    public async Task A_read_failure_waits_for_the_batch_being_written()
    {
        // Batch 0..9 is being written (slowly) when reading block 15 fails: the sync reports the read failure only
        // after the write finished, so the next sync starts from the written tip.
        var source = TestBlocks.Chain(30, Contents(0));
        var store = new SlowStore(TimeSpan.FromMilliseconds(300));
        source.BeforeGetBlock = calls =>
        {
            if (calls == 16)
            {
                throw new InvalidOperationException("node gone");
            }
        };
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { MaxBatchBlocks = 10, MaxBatchDuration = TimeSpan.FromHours(1) });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => follower.SyncAsync(Ct).WaitAsync(Timeout));
        Assert.Equal("node gone", e.Message);
        Assert.Equal(1, store.Finished);
        Assert.Equal(9, (await store.GetTipAsync(Ct))?.Height);

        source.BeforeGetBlock = null;
        Assert.True((await follower.SyncAsync(Ct).WaitAsync(Timeout)).CaughtUp);
        AssertSameState(await IndexFromScratchAsync(source), store);
    }

    /// <summary>An in-memory store whose batch writes take a while.</summary>
    private sealed class SlowStore(TimeSpan delay) : InMemoryNameStore
    {
        public int Finished { get; private set; }

        public override async Task ApplyBlocksAsync(IReadOnlyList<BlockNameScan> blocks, CancellationToken ct)
        {
            await Task.Delay(delay, ct);
            await base.ApplyBlocksAsync(blocks, ct);
            Finished++;
        }
    }

    [Fact]
    public async Task Repeated_reorganisations_end_in_the_from_scratch_state()
    {
        var source = TestBlocks.Chain(40, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store);
        var random = new Random(42);
        for (uint round = 1; round <= 20; round++)
        {
            await follower.SyncAsync(Ct).WaitAsync(Timeout);
            var forkAt = source.Tip - random.Next(0, 11);
            source.TruncateAbove(forkAt);
            TestBlocks.Extend(source, random.Next(0, 12), round, Contents(round));
        }
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        AssertSameState(await IndexFromScratchAsync(source), store);
    }

    [Fact]
    public async Task Start_height_and_batch_limit_are_honoured()
    {
        var source = TestBlocks.Chain(20, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { StartHeight = 10, MaxBlocksPerSync = 4 });

        var first = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.False(first.CaughtUp);
        Assert.Equal(4, first.Applied);
        Assert.Equal(new[] { 10, 11, 12, 13 }, store.Checkpoints.Select(c => c.Height).ToArray());

        while (!(await follower.SyncAsync(Ct).WaitAsync(Timeout)).CaughtUp)
        {
        }
        Assert.Equal(Enumerable.Range(10, 10).ToArray(), store.Checkpoints.Select(c => c.Height).ToArray());

        // A reorganisation below the start height empties the store and restarts at the start height.
        source.TruncateAbove(8);
        TestBlocks.Extend(source, 12, branch: 3, Contents(3));
        while (!(await follower.SyncAsync(Ct).WaitAsync(Timeout)).CaughtUp)
        {
        }
        Assert.Equal(Enumerable.Range(10, 11).ToArray(), store.Checkpoints.Select(c => c.Height).ToArray());
        Assert.All(store.Entries, e => Assert.Equal(KeyOf(3), e.KeyHash));
    }

    [Fact]
    public async Task A_source_that_never_settles_makes_the_sync_fail_instead_of_spinning()
    {
        // Every block fetched replaces the whole chain above genesis: the follower can never catch up.
        var source = TestBlocks.Chain(6, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { MaxBatchBlocks = 1 });
        uint branch = 10;
        source.BeforeGetBlock = _ =>
        {
            source.TruncateAbove(0);
            TestBlocks.Extend(source, 6, branch++, Contents(0));
        };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => follower.SyncAsync(Ct).WaitAsync(Timeout));
        Assert.Contains("kept changing", e.Message);
        Assert.True(store.RollbackCalls >= ChainFollower.MaxRestarts);
    }

    [Fact]
    public async Task Cancellation_stops_the_sync()
    {
        var source = TestBlocks.Chain(5, Contents(0));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new ChainFollower(source, new InMemoryNameStore()).SyncAsync(cts.Token).WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(11, true)]
    public async Task A_walk_back_deeper_than_the_limit_changes_nothing(int depth, bool tooDeep)
    {
        var source = TestBlocks.Chain(30, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store, new ChainFollowerOptions { MaxReorgDepth = 10 });
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        var before = store.Checkpoints;

        source.TruncateAbove(29 - depth);
        TestBlocks.Extend(source, depth + 1, branch: 1, Contents(1));
        if (tooDeep)
        {
            var e = await Assert.ThrowsAsync<ChainReorganisationTooDeepException>(() => follower.SyncAsync(Ct).WaitAsync(Timeout));
            Assert.Equal(29, e.IndexedTip);
            Assert.Equal(10, e.MaxDepth);
            Assert.Equal(before, store.Checkpoints);
            Assert.Equal(0, store.RollbackCalls);
        }
        else
        {
            Assert.Equal(depth, (await follower.SyncAsync(Ct).WaitAsync(Timeout)).RolledBack);
            AssertSameState(await IndexFromScratchAsync(source), store);
        }
    }

    [Fact]
    public async Task A_node_far_behind_the_index_is_waited_for_not_rolled_back_to()
    {
        var source = TestBlocks.Chain(200, Contents(0));
        var store = new InMemoryNameStore();
        var follower = new ChainFollower(source, store); // default limit: 144
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        var full = source.Chain.ToList();

        source.TruncateAbove(20); // a node restarted with -reindex, at height 20 of the same chain
        await Assert.ThrowsAsync<ChainReorganisationTooDeepException>(() => follower.SyncAsync(Ct).WaitAsync(Timeout));
        Assert.Equal(200, store.Checkpoints.Count);

        foreach (var block in full.Skip(21))
        {
            source.Add(block); // caught up again: nothing to undo
        }
        var result = await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(0, result.RolledBack);
        Assert.Equal(0, store.RollbackCalls);
    }
}
