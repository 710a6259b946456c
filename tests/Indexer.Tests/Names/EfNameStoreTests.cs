using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Indexer.Tests.Names;

public sealed class SqliteEfNameStoreTests() : EfNameStoreTests(DatabaseProvider.Sqlite);

public sealed class PostgresEfNameStoreTests() : EfNameStoreTests(DatabaseProvider.Postgres);

/// <summary>The database-backed store against the in-memory test double and the resolver, on both providers.</summary>
public abstract class EfNameStoreTests(DatabaseProvider provider)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Hash20 Alice = Hash20.Sha1("alice"u8);
    private static readonly Hash20 Bob = Hash20.Sha1("bob"u8);
    private static readonly byte[] Salt = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();

    private static Hash20 KeyOf(uint branch) => Hash20.Sha1(BitConverter.GetBytes(branch));

    /// <summary>Claims of n&lt;height&gt; and "both" per block; on branch 0 also a preorder (height 3) and register (height 5) of "secret".</summary>
    private static Func<int, byte[][][]> Contents(uint branch) => height =>
    [
        [TestBlocks.OpReturn(NamePayload.EncodeClaim($"n{height % 7}", KeyOf(branch)))],
        [[0x6a, 0x51], TestBlocks.OpReturn(NamePayload.EncodeClaim("both", KeyOf(branch)))],
        .. (branch, height) switch
        {
            (0, 3) => new[] { new[] { TestBlocks.OpReturn(NamePayload.EncodePreorder("secret", Alice, Salt)) } },
            (0, 5) => [[TestBlocks.OpReturn(NamePayload.EncodeRegister("secret", Alice, Salt))]],
            _ => [],
        },
    ];

    private static async Task<List<(string, int, int, int, string, NameRegistrationKind, string?)>> RowsAsync(TestDatabase database)
    {
        await using var db = await database.Factory.CreateDbContextAsync(Ct);
        var rows = await db.NameRegistrations.AsNoTracking().ToListAsync(Ct);
        // A revealed PREORDER row carries its name in the database; the scan (like the chain) does not.
        return rows.Select(r => (r.Txid, r.Vout, r.BlockHeight!.Value, r.TxIndex!.Value, r.BlockHash!, r.Kind,
                r.Kind == NameRegistrationKind.Preorder ? null : r.Name))
            .Order().ToList();
    }

    private static List<(string, int, int, int, string, NameRegistrationKind, string?)> Rows(InMemoryNameStore store) =>
        store.Entries.Select(e => (e.Txid, e.Position.Vout, e.Height, e.Position.TxIndex, e.BlockHash,
                e.Kind switch
                {
                    NameEntryKind.Claim => NameRegistrationKind.Claim,
                    NameEntryKind.Preorder => NameRegistrationKind.Preorder,
                    _ => NameRegistrationKind.Register,
                }, e.Name))
            .Order().ToList();

    private static async Task<Dictionary<(string Txid, int Vout), NameRegistration>> RowMapAsync(TestDatabase database)
    {
        await using var db = await database.Factory.CreateDbContextAsync(Ct);
        return await db.NameRegistrations.AsNoTracking().ToDictionaryAsync(r => (r.Txid, r.Vout), Ct);
    }

    /// <summary>
    /// The stored verdicts (valid, reason, status, revealed name) equal the resolver run from scratch over every entry
    /// at the final tip, whatever the batch size and the confirmations, also after a reorganisation: the store only
    /// re-resolves the names whose verdict can change, and this checks that it misses none.
    /// </summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 13)]
    [InlineData(1, 1000)]
    [InlineData(3, 7)]
    [InlineData(6, 1000)]
    public async Task Stored_verdicts_equal_a_from_scratch_resolution(int confirmations, int batch)
    {
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var store = new EfNameStore(database.Factory, "regtest", confirmations, TimeProvider.System);
        var random = new Random(confirmations * 1000 + batch);
        var planned = new Dictionary<int, List<byte[]>>();
        byte[][][] Contents(int height)
        {
            var payloads = planned.Remove(height, out var due) ? due : [];
            // Busy, then quiet (names settle and entries turn final with no new entry of theirs), busy again in the
            // branch that replaces the last 40 blocks.
            var busy = height < 250 || (height >= 385 && height < 395);
            for (var i = busy && random.Next(3) == 0 ? random.Next(1, 4) : 0; i > 0; i--)
            {
                var name = $"n{random.Next(10)}";
                var key = Hash20.Sha1(new[] { (byte)random.Next(4) });
                var salt = new byte[16];
                random.NextBytes(salt);
                switch (random.Next(10))
                {
                    case < 4:
                        payloads.Add(NamePayload.EncodeClaim(name, key));
                        break;
                    case < 9:
                        payloads.Add(NamePayload.EncodePreorder(name, key, salt));
                        var at = height + random.Next(0, 160);
                        if (at < 250 || height >= 385)
                        {
                            planned[at] = [.. planned.GetValueOrDefault(at) ?? [], NamePayload.EncodeRegister(name, key, salt)];
                        }
                        break;
                    default:
                        payloads.Add(NamePayload.EncodeRegister(name, key, salt));
                        break;
                }
            }
            return [.. payloads.Select(p => new[] { TestBlocks.OpReturn(p) })];
        }
        var source = TestBlocks.Chain(420, Contents);
        var options = new ChainFollowerOptions { MaxBatchBlocks = batch, MaxBatchDuration = TimeSpan.FromHours(1), MaxReorgDepth = 0 };
        await new ChainFollower(source, store, options).SyncAsync(Ct).WaitAsync(Timeout);
        await AssertMatchesResolverAsync(database, source, confirmations);

        // A 40-block reorganisation onto a branch with other entries, then more blocks.
        source.TruncateAbove(source.Tip - 40);
        TestBlocks.Extend(source, 60, branch: 5, Contents);
        await new ChainFollower(source, store, options).SyncAsync(Ct).WaitAsync(Timeout);
        await AssertMatchesResolverAsync(database, source, confirmations);
    }

    private static async Task AssertMatchesResolverAsync(TestDatabase database, InMemoryBlockSource source, int confirmations)
    {
        var entries = source.Chain.SelectMany((block, height) => OpReturnExtractor.Extract(block, height).Entries).ToList();
        var expected = new Dictionary<(string, int), (string? Name, bool Valid, string? Reason, NameRegistrationStatus Status)>();
        foreach (var name in entries.Where(e => e.Name is not null).Select(e => e.Name!).Distinct())
        {
            var resolution = NameOwnershipResolver.Resolve(name, entries, source.Tip, confirmations);
            foreach (var verdict in resolution.Entries)
            {
                var status = verdict.Pending ? NameRegistrationStatus.Pending : resolution.Status switch
                {
                    NameStatus.Pending => NameRegistrationStatus.Pending,
                    NameStatus.Settling => NameRegistrationStatus.Settling,
                    _ => NameRegistrationStatus.Settled,
                };
                expected[(verdict.Entry.Txid, verdict.Entry.Position.Vout)] = (name, verdict.Valid, verdict.Reason, status);
            }
        }
        foreach (var preorder in entries.Where(e => e.Kind == NameEntryKind.Preorder && !expected.ContainsKey((e.Txid, e.Position.Vout))))
        {
            var status = source.Tip - preorder.Height + 1 >= confirmations ? NameRegistrationStatus.Settling : NameRegistrationStatus.Pending;
            expected[(preorder.Txid, preorder.Position.Vout)] = (null, false, NameEntryReasons.NotRevealed, status);
        }
        var rows = await RowMapAsync(database);
        Assert.Equal(entries.Count, rows.Count);
        Assert.Equal(entries.Count, expected.Count);
        Assert.Contains(expected.Values, v => v.Status == NameRegistrationStatus.Settled);
        Assert.Contains(expected.Values, v => v.Reason == NameEntryReasons.Outbid);
        foreach (var (key, want) in expected)
        {
            var row = rows[key];
            Assert.Equal((key, want), (key, (row.Name, row.Valid, row.Reason, row.Status)));
        }
    }

    [Fact]
    public async Task Follows_a_chain_through_reorganisations_like_the_in_memory_store()
    {
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var store = new EfNameStore(database.Factory, "regtest", confirmations: 1, TimeProvider.System);
        var memory = new InMemoryNameStore();
        var source = TestBlocks.Chain(12, Contents(0));
        var random = new Random(5);
        for (uint round = 1; round <= 5; round++)
        {
            var a = await new ChainFollower(source, store).SyncAsync(Ct).WaitAsync(Timeout);
            var b = await new ChainFollower(source, memory).SyncAsync(Ct).WaitAsync(Timeout);
            Assert.Equal(b, a);
            Assert.Equal(Rows(memory), await RowsAsync(database));
            source.TruncateAbove(source.Tip - random.Next(1, 6));
            TestBlocks.Extend(source, random.Next(1, 8), round, Contents(round));
        }
        await new ChainFollower(source, store).SyncAsync(Ct).WaitAsync(Timeout);
        await new ChainFollower(source, memory).SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(Rows(memory), await RowsAsync(database));
        Assert.Equal(await memory.GetTipAsync(Ct), await store.GetTipAsync(Ct).WaitAsync(Timeout));
        foreach (var checkpoint in memory.Checkpoints)
        {
            Assert.Equal(checkpoint.BlockHash, await store.GetProcessedBlockHashAsync(checkpoint.Height, Ct).WaitAsync(Timeout));
        }
        Assert.Null(await store.GetProcessedBlockHashAsync(source.Tip + 1, Ct).WaitAsync(Timeout));

        foreach (var name in new[] { "both", "n1", "n3", "secret", "nobody" })
        {
            var fromDb = await new NameLookup(store, 1).ResolveAsync(name, Ct).WaitAsync(Timeout);
            var fromMemory = await new NameLookup(memory, 1).ResolveAsync(name, Ct).WaitAsync(Timeout);
            Assert.Equal(fromMemory?.Owner, fromDb?.Owner);
            Assert.Equal(fromMemory?.Status, fromDb?.Status);
            Assert.Equal(fromMemory?.Entries, fromDb?.Entries);
        }
    }

    [Fact]
    public async Task Stored_verdicts_follow_new_blocks_settling_and_rollbacks()
    {
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var store = new EfNameStore(database.Factory, "regtest", confirmations: 1, TimeProvider.System);
        var source = TestBlocks.Chain(5, height => height switch
        {
            1 => [[TestBlocks.OpReturn(NamePayload.EncodePreorder("cjb", Alice, Salt))]],
            2 => [[TestBlocks.OpReturn(NamePayload.EncodeClaim("cjb", Bob))]],
            4 => [[TestBlocks.OpReturn(NamePayload.EncodeRegister("cjb", Alice, Salt))]],
            _ => [],
        });
        var follower = new ChainFollower(source, store);
        var hash = (int h) => source.Chain[h].GetHash().ToString();

        // Up to height 3: Bob's claim owns the name, Alice's preorder is not revealed.
        source.TruncateAbove(3);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        var rows = await RowMapAsync(database);
        var preorder = rows.Values.Single(r => r.Kind == NameRegistrationKind.Preorder);
        var claim = rows.Values.Single(r => r.Kind == NameRegistrationKind.Claim);
        Assert.Equal((false, NameEntryReasons.NotRevealed, NameRegistrationStatus.Settling), (preorder.Valid, preorder.Reason, preorder.Status));
        Assert.Equal((true, NameEntryReasons.Owner, NameRegistrationStatus.Settling), (claim.Valid, claim.Reason, claim.Status));
        Assert.Equal(1, preorder.BlockHeight);
        Assert.Equal(hash(1), preorder.BlockHash);

        // Height 4 reveals the preorder: Alice owns the name from the preorder's priority.
        TestBlocks.Extend(source, 1, branch: 0, _ => [[TestBlocks.OpReturn(NamePayload.EncodeRegister("cjb", Alice, Salt))]]);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        rows = await RowMapAsync(database);
        var register = rows.Values.Single(r => r.Kind == NameRegistrationKind.Register);
        Assert.Equal(Convert.ToHexStringLower(Salt), register.Salt);
        Assert.Equal(Alice.ToString(), register.KeyHash);
        Assert.Equal((true, NameEntryReasons.Owner), (register.Valid, register.Reason));
        Assert.Equal((true, NameEntryReasons.OwnerPreorder), (rows[(preorder.Txid, preorder.Vout)].Valid, rows[(preorder.Txid, preorder.Vout)].Reason));
        Assert.Equal("cjb", rows[(preorder.Txid, preorder.Vout)].Name);
        Assert.Equal((false, NameEntryReasons.Outbid), (rows[(claim.Txid, claim.Vout)].Valid, rows[(claim.Txid, claim.Vout)].Reason));

        // Settled once block 1 + 144 is indexed.
        TestBlocks.Extend(source, 1 + 144 - source.Tip - 1, branch: 0);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.All((await RowMapAsync(database)).Values, r => Assert.Equal(NameRegistrationStatus.Settling, r.Status));
        TestBlocks.Extend(source, 1, branch: 0);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(145, source.Tip);
        Assert.All((await RowMapAsync(database)).Values, r => Assert.Equal(NameRegistrationStatus.Settled, r.Status));

        // A reorganisation back to height 3 removes the register: the claim owns the name again.
        source.TruncateAbove(3);
        TestBlocks.Extend(source, 2, branch: 9);
        var result = await new ChainFollower(source, store, new ChainFollowerOptions { MaxReorgDepth = 0 }).SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(142, result.RolledBack);
        rows = await RowMapAsync(database);
        Assert.Equal(2, rows.Count);
        Assert.Equal((false, NameEntryReasons.NotRevealed), (rows[(preorder.Txid, preorder.Vout)].Valid, rows[(preorder.Txid, preorder.Vout)].Reason));
        Assert.Null(rows[(preorder.Txid, preorder.Vout)].Name);
        Assert.Equal((true, NameEntryReasons.Owner, NameRegistrationStatus.Settling),
            (rows[(claim.Txid, claim.Vout)].Valid, rows[(claim.Txid, claim.Vout)].Reason, rows[(claim.Txid, claim.Vout)].Status));
    }

    [Fact]
    public async Task Unconfirmed_entries_are_stored_as_pending()
    {
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var store = new EfNameStore(database.Factory, "main", confirmations: 6, TimeProvider.System);
        var source = TestBlocks.Chain(3, height => height == 2 ? [[TestBlocks.OpReturn(NamePayload.EncodeClaim("slow", Bob))]] : []);
        var follower = new ChainFollower(source, store);
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        var row = Assert.Single((await RowMapAsync(database)).Values);
        Assert.Equal((false, NameEntryReasons.Unconfirmed, NameRegistrationStatus.Pending), (row.Valid, row.Reason, row.Status));

        TestBlocks.Extend(source, 5, branch: 0); // block 2 now has 6 confirmations
        await follower.SyncAsync(Ct).WaitAsync(Timeout);
        row = Assert.Single((await RowMapAsync(database)).Values);
        Assert.Equal((true, NameEntryReasons.Owner, NameRegistrationStatus.Settling), (row.Valid, row.Reason, row.Status));
    }

    [Fact]
    public async Task A_name_nobody_owns_is_stored_as_pending()
    {
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var store = new EfNameStore(database.Factory, "regtest", confirmations: 1, TimeProvider.System);
        var source = TestBlocks.Chain(4, height => height == 2 ? [[TestBlocks.OpReturn(NamePayload.EncodeRegister("nobody", Alice, Salt))]] : []);
        await new ChainFollower(source, store).SyncAsync(Ct).WaitAsync(Timeout);
        var row = Assert.Single((await RowMapAsync(database)).Values);
        Assert.Equal((false, NameEntryReasons.RegisterWithoutPreorder, NameRegistrationStatus.Pending), (row.Valid, row.Reason, row.Status));
        var resolution = await new NameLookup(store, 1).ResolveAsync("nobody", Ct).WaitAsync(Timeout);
        Assert.Equal(NameStatus.Pending, resolution!.Status);
        Assert.Null(resolution.Owner);
    }

    [Fact]
    public async Task A_failed_block_leaves_nothing_behind_and_the_contract_is_enforced()
    {
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var store = new EfNameStore(database.Factory, "regtest", confirmations: 1, TimeProvider.System);
        var source = TestBlocks.Chain(3);
        await new ChainFollower(source, store).SyncAsync(Ct).WaitAsync(Timeout);
        var tip = await store.GetTipAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(2, tip!.Value.Height);

        var entry = new NameEntry(new NamePosition(3, 1, 0), new string('e', 64), new string('b', 64), NameEntryPayload.Claim("dup", Bob));
        var duplicate = new BlockNameScan(3, new string('b', 64), tip.Value.BlockHash, [entry, entry with { Position = new NamePosition(3, 2, 0) }], [], 0);
        await Assert.ThrowsAsync<DbUpdateException>(() => store.ApplyBlockAsync(3, duplicate.BlockHash, duplicate, Ct).WaitAsync(Timeout));
        Assert.Equal(tip, await store.GetTipAsync(Ct).WaitAsync(Timeout));
        Assert.Null(await store.GetProcessedBlockHashAsync(3, Ct).WaitAsync(Timeout));
        Assert.Empty(await RowMapAsync(database));

        var gap = new BlockNameScan(5, new string('c', 64), tip.Value.BlockHash, [], [], 0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ApplyBlockAsync(5, gap.BlockHash, gap, Ct).WaitAsync(Timeout));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.RollbackBlockAsync(1, Ct).WaitAsync(Timeout));

        for (var h = 2; h >= 0; h--)
        {
            await store.RollbackBlockAsync(h, Ct).WaitAsync(Timeout);
        }
        Assert.Null(await store.GetTipAsync(Ct).WaitAsync(Timeout));
        await new ChainFollower(source, store).SyncAsync(Ct).WaitAsync(Timeout);
        Assert.Equal(tip, await store.GetTipAsync(Ct).WaitAsync(Timeout));
    }
}
