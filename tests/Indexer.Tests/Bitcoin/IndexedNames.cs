using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;
using GitTorrent.Indexer.Tests.Names;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// The name index as the indexer keeps it: the real <see cref="EfNameStore"/> on a fresh, migrated SQLite or PostgreSQL
/// database, filled by the real <see cref="ChainFollower"/>, and read back through <see cref="NameLookup"/> (what the
/// name API answers) or as the rows in name_registrations. The malformed outputs the follower hands the store are kept
/// (the store counts them, it does not keep them).
/// </summary>
internal sealed class IndexedNames : INameStore, IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TestDatabase _database;
    private readonly EfNameStore _store;
    private readonly List<MalformedOutput> _malformed = [];

    private IndexedNames(TestDatabase database)
    {
        _database = database;
        _store = new EfNameStore(database.Factory, "regtest", 1, TimeProvider.System);
    }

    public IReadOnlyList<MalformedOutput> Malformed => _malformed;

    public static async Task<IndexedNames> CreateAsync(DatabaseProvider provider) =>
        new(await TestDatabase.CreateAsync(provider).WaitAsync(Timeout));

    /// <summary>One follower run to the node's tip; returns its result (caught up, or the test fails).</summary>
    public async Task<ChainSyncResult> SyncAsync(IBlockSource source)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var result = await new ChainFollower(source, this).SyncAsync(cts.Token).WaitAsync(Timeout);
        Assert.True(result.CaughtUp);
        return result;
    }

    /// <summary>The name as the lookup resolves it at the indexed tip with <paramref name="confirmations"/>.</summary>
    public async Task<NameResolution> ResolveAsync(string name, int confirmations = 1)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var resolution = await new NameLookup(_store, confirmations).ResolveAsync(name, cts.Token).WaitAsync(Timeout);
        Assert.NotNull(resolution);
        return resolution;
    }

    /// <summary>Every row of name_registrations.</summary>
    public async Task<List<NameRegistration>> RowsAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var db = await _database.Factory.CreateDbContextAsync(cts.Token);
        return await db.NameRegistrations.AsNoTracking().ToListAsync(cts.Token).WaitAsync(Timeout);
    }

    /// <summary>The tables the indexer writes, for comparing with a from-scratch index.</summary>
    public async Task<IndexTableDump> DumpAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await IndexTableDump.ReadAsync(_database.Factory, cts.Token).WaitAsync(Timeout);
    }

    public Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct) => _store.GetTipAsync(ct);

    public Task<string?> GetProcessedBlockHashAsync(int height, CancellationToken ct) => _store.GetProcessedBlockHashAsync(height, ct);

    public Task ApplyBlockAsync(int height, string blockHash, BlockNameScan scan, CancellationToken ct)
    {
        _malformed.AddRange(scan.Malformed);
        return _store.ApplyBlockAsync(height, blockHash, scan, ct);
    }

    public Task ApplyBlocksAsync(IReadOnlyList<BlockNameScan> blocks, CancellationToken ct)
    {
        _malformed.AddRange(blocks.SelectMany(b => b.Malformed));
        return _store.ApplyBlocksAsync(blocks, ct);
    }

    public Task RollbackBlockAsync(int height, CancellationToken ct) => _store.RollbackBlockAsync(height, ct);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
