using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// <see cref="INameStore"/> and <see cref="INameEntryReader"/> over the shared database: entries in
/// <c>name_registrations</c>, one <c>processed_blocks</c> row per block and the <c>chain_state</c> checkpoint of
/// <paramref name="chain"/>, written in one transaction per batch of consecutive blocks (one block or many).
/// </summary>
/// <remarks>
/// <para><see cref="NameRegistration.Valid"/>, <see cref="NameRegistration.Reason"/> and
/// <see cref="NameRegistration.Status"/> are a cache of <see cref="NameOwnershipResolver"/> at the indexed tip,
/// refreshed in the same transaction for every name whose verdict the batch can change: the names it touched (also
/// through a REGISTER revealing a PREORDER), the names with an entry that turned final and the names that settled at
/// one of its tips (after a rollback: every name with an entry in the last 2 × 144 + N blocks). The result does not
/// depend on where batches begin and end. An entry's status is its name's status (<see cref="NameResolution.Status"/>: pending while no final entry
/// makes an owner, settling, settled), except that an entry with fewer than N confirmations is pending; so the
/// owner's row carries the name's status. A PREORDER row gets the name once a REGISTER reveals it (and loses it again
/// if that REGISTER is rolled back); unrevealed PREORDERs are pending, then settling, with reason
/// <see cref="NameEntryReasons.NotRevealed"/>. <see cref="NameLookup"/> over this reader gives the authoritative
/// answer at read time.</para>
/// <para><c>name_registrations</c> has no chain column: a database indexes one chain.</para>
/// <para>Applying a batch on PostgreSQL takes three round trips and no change tracking (EfNameStore.Postgres.cs); on
/// SQLite, and for rollbacks on both, EF Core tracks the rows it loads and saves what changed. Both compute verdicts
/// with the same code from the same rows (<see cref="ApplyVerdicts"/>), and the tests check both providers against the
/// resolver run from scratch.</para>
/// </remarks>
public sealed partial class EfNameStore(IDbContextFactory<GitTorrentDbContext> factory, string chain, int confirmations, TimeProvider time)
    : INameStore, INameEntryReader
{
    /// <summary>Entries this far below the tip (plus N) can still change verdict; their names are re-resolved per block.</summary>
    public const int RecomputeDepth = NameOwnershipResolver.PreorderWindow + NameOwnershipResolver.SettlingWindow;

    public string Chain { get; } = chain;

    public async Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        var state = await db.ChainStates.AsNoTracking().FirstOrDefaultAsync(c => c.Chain == Chain, ct).ConfigureAwait(false);
        return state is null ? null : new ChainCheckpoint(state.Height, state.Hash);
    }

    public async Task<string?> GetProcessedBlockHashAsync(int height, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        return await db.ProcessedBlocks.AsNoTracking()
            .Where(b => b.Chain == Chain && b.Height == height)
            .Select(b => b.Hash)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
    }

    public Task ApplyBlockAsync(int height, string blockHash, BlockNameScan scan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scan);
        return ApplyAsync([(height, blockHash, scan)], ct);
    }

    /// <summary>
    /// Applies consecutive blocks in one transaction: their entries, one <c>processed_blocks</c> row each and the
    /// checkpoint of the last; verdicts are refreshed once, at the last block, for every name one of the blocks
    /// could have changed (the same rows a block-by-block apply refreshes, so the result is the same).
    /// </summary>
    public Task ApplyBlocksAsync(IReadOnlyList<BlockNameScan> blocks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return ApplyAsync([.. blocks.Select(b => (b.Height, b.BlockHash, b))], ct);
    }

    private async Task ApplyAsync(IReadOnlyList<(int Height, string Hash, BlockNameScan Scan)> blocks, CancellationToken ct)
    {
        if (blocks.Count == 0)
        {
            return;
        }
        for (var i = 1; i < blocks.Count; i++)
        {
            if (blocks[i].Height != blocks[i - 1].Height + 1)
            {
                throw new ArgumentException($"Blocks must be consecutive: {blocks[i].Height} follows {blocks[i - 1].Height}.", nameof(blocks));
            }
        }
        var (first, last) = (blocks[0], blocks[^1]);
        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await ApplyPostgresAsync(db, blocks, ct).ConfigureAwait(false);
            return;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var state = await db.ChainStates.FirstOrDefaultAsync(c => c.Chain == Chain, ct).ConfigureAwait(false);
        if (state is not null && first.Height != state.Height + 1)
        {
            throw new InvalidOperationException($"Cannot apply block {first.Height} on {Chain}: the indexed tip is {state.Height}.");
        }
        var now = time.GetUtcNow();
        db.ProcessedBlocks.AddRange(blocks.Select(b => new ProcessedBlock { Chain = Chain, Height = b.Height, Hash = b.Hash, ProcessedAt = now }));
        if (state is null)
        {
            db.ChainStates.Add(new ChainState { Chain = Chain, Height = last.Height, Hash = last.Hash, UpdatedAt = now });
        }
        else
        {
            (state.Height, state.Hash, state.UpdatedAt) = (last.Height, last.Hash, now);
        }
        // The new rows get their verdicts before they are written, so each is inserted once, complete.
        var touched = blocks.SelectMany(b => b.Scan.Entries).ToList();
        var fresh = touched.Select(ToEntity).ToList();
        await RefreshAfterApplyAsync(db, first.Height, last.Height, touched, fresh, ct).ConfigureAwait(false);
        db.NameRegistrations.AddRange(fresh);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    public async Task RollbackBlockAsync(int height, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var state = await db.ChainStates.FirstOrDefaultAsync(c => c.Chain == Chain, ct).ConfigureAwait(false);
        if (state is null || state.Height != height)
        {
            throw new InvalidOperationException($"Cannot roll back block {height} on {Chain}: the indexed tip is {state?.Height}.");
        }
        var removed = (await db.NameRegistrations.AsNoTracking().Where(n => n.BlockHeight == height).ToListAsync(ct).ConfigureAwait(false))
            .Select(ToEntry)
            .ToList();
        await db.NameRegistrations.Where(n => n.BlockHeight == height).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.ProcessedBlocks.Where(b => b.Chain == Chain && b.Height == height).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        var below = await db.ProcessedBlocks.AsNoTracking()
            .Where(b => b.Chain == Chain && b.Height < height)
            .OrderByDescending(b => b.Height)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (below is null)
        {
            db.ChainStates.Remove(state);
        }
        else
        {
            (state.Height, state.Hash, state.UpdatedAt) = (below.Height, below.Hash, time.GetUtcNow());
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (below is not null)
        {
            await RefreshWindowAsync(db, below.Height, removed, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<NameEntry>> GetClaimsAndRegistersAsync(string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        var rows = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.Name == name && n.Kind != NameRegistrationKind.Preorder && n.BlockHeight != null)
            .ToListAsync(ct).ConfigureAwait(false);
        return rows.Select(ToEntry).ToList();
    }

    public async Task<IReadOnlyList<NameEntry>> GetPreordersAsync(IReadOnlyCollection<Hash20> commitments, CancellationToken ct)
    {
        var hex = commitments.Select(c => c.ToString()).ToList();
        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        var rows = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.Kind == NameRegistrationKind.Preorder && n.BlockHeight != null && hex.Contains(n.Commitment!))
            .ToListAsync(ct).ConfigureAwait(false);
        return rows.Select(ToEntry).ToList();
    }

    /// <summary>
    /// After applying blocks <paramref name="first"/>..<paramref name="last"/>: re-resolves, at <paramref name="last"/>,
    /// exactly the names whose verdicts can differ from what is stored. The resolver depends on the tip only through
    /// finality (an entry at height h turns final at tip h + N - 1) and settling (a name whose owner has priority
    /// height p settles at tip p + 144 + N - 1), so besides the names the blocks touched (new CLAIMs and REGISTERs, and
    /// REGISTERs whose commitment a new PREORDER carries) these are the names with an entry at a height that turned
    /// final, or at a priority height that settled, at one of the tips applied. A revealed PREORDER carries its name.
    /// Unrevealed PREORDERs that turned final age from pending to settling.
    /// </summary>
    private async Task RefreshAfterApplyAsync(GitTorrentDbContext db, int first, int last, IReadOnlyList<NameEntry> touched,
        IReadOnlyList<NameRegistration> fresh, CancellationToken ct)
    {
        var (finalFrom, finalTo) = (first - confirmations + 1, last - confirmations + 1);
        var (settleFrom, settleTo) = (finalFrom - NameOwnershipResolver.SettlingWindow, finalTo - NameOwnershipResolver.SettlingWindow);
        var names = (await db.NameRegistrations.AsNoTracking()
                .Where(n => n.Name != null
                    && ((n.BlockHeight >= finalFrom && n.BlockHeight <= finalTo) || (n.BlockHeight >= settleFrom && n.BlockHeight <= settleTo)))
                .Select(n => n.Name!)
                .Distinct()
                .ToListAsync(ct).ConfigureAwait(false))
            .Concat(touched.Where(e => e.Name is not null).Select(e => e.Name!))
            .ToHashSet(StringComparer.Ordinal);
        var preorders = touched.Where(e => e.Kind == NameEntryKind.Preorder).Select(e => e.Commitment!.Value.ToString()).Distinct().ToList();
        await ResolveNamesAsync(db, names, preorders, Math.Min(finalFrom, first), last, fresh, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// After a rollback to <paramref name="tip"/>: re-resolves every name with an entry in the last 2 × 144 + N blocks
    /// and the names of the removed entries (<paramref name="touched"/>); a PREORDER whose REGISTER was removed is
    /// unrevealed again.
    /// </summary>
    private async Task RefreshWindowAsync(GitTorrentDbContext db, int tip, IEnumerable<NameEntry> touched, CancellationToken ct)
    {
        var from = tip - RecomputeDepth - confirmations;
        var recent = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.BlockHeight >= from)
            .Select(n => new { n.Name, n.Commitment, n.Kind })
            .ToListAsync(ct).ConfigureAwait(false);
        var names = recent.Where(r => r.Name is not null).Select(r => r.Name!)
            .Concat(touched.Where(e => e.Name is not null).Select(e => e.Name!))
            .ToHashSet(StringComparer.Ordinal);
        var recentPreorders = recent.Where(r => r.Kind == NameRegistrationKind.Preorder).Select(r => r.Commitment!)
            .Concat(touched.Where(e => e.Kind == NameEntryKind.Preorder).Select(e => e.Commitment!.Value.ToString()))
            .Distinct().ToList();
        await ResolveNamesAsync(db, names, recentPreorders, from, tip, [], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves <paramref name="names"/> (plus the names of REGISTERs carrying one of <paramref name="preorderCommitments"/>)
    /// at <paramref name="tip"/> and writes every verdict; PREORDERs from <paramref name="preorderFrom"/> up that no
    /// resolved name reveals are marked unrevealed. Rows are read in a few set queries, not per name.
    /// <paramref name="fresh"/> are rows about to be inserted (not in the database yet): they take part like stored ones.
    /// </summary>
    private async Task ResolveNamesAsync(GitTorrentDbContext db, HashSet<string> names, List<string> preorderCommitments, int preorderFrom,
        int tip, IReadOnlyList<NameRegistration> fresh, CancellationToken ct)
    {
        if (preorderCommitments.Count > 0)
        {
            names.UnionWith(await db.NameRegistrations.AsNoTracking()
                .Where(n => n.Kind == NameRegistrationKind.Register && preorderCommitments.Contains(n.Commitment!))
                .Select(n => n.Name!)
                .ToListAsync(ct).ConfigureAwait(false));
        }
        List<NameRegistration> named = [];
        List<NameRegistration> preorderRows = [];
        if (names.Count > 0)
        {
            var nameList = names.ToList();
            named = await db.NameRegistrations
                .Where(n => n.Kind != NameRegistrationKind.Preorder && n.BlockHeight != null && nameList.Contains(n.Name!))
                .ToListAsync(ct).ConfigureAwait(false);
            named.AddRange(fresh.Where(r => r.Kind != NameRegistrationKind.Preorder && names.Contains(r.Name!)));
            var commitments = named.Where(r => r.Kind == NameRegistrationKind.Register).Select(r => r.Commitment!).Distinct().ToList();
            if (commitments.Count > 0)
            {
                preorderRows = await db.NameRegistrations
                    .Where(n => n.Kind == NameRegistrationKind.Preorder && n.BlockHeight != null && commitments.Contains(n.Commitment!))
                    .ToListAsync(ct).ConfigureAwait(false);
            }
            var wanted = commitments.ToHashSet(StringComparer.Ordinal);
            preorderRows.AddRange(fresh.Where(r => r.Kind == NameRegistrationKind.Preorder && wanted.Contains(r.Commitment!)));
        }
        var aging = await db.NameRegistrations
            .Where(n => n.Kind == NameRegistrationKind.Preorder && n.BlockHeight >= preorderFrom)
            .ToListAsync(ct).ConfigureAwait(false);
        aging.AddRange(fresh.Where(r => r.Kind == NameRegistrationKind.Preorder));
        ApplyVerdicts(named, preorderRows, aging, tip);
    }

    /// <summary>
    /// Sets the verdict columns of rows in memory (both providers' write paths share this): every name of
    /// <paramref name="named"/> (its CLAIMs and REGISTERs) is resolved at <paramref name="tip"/> with the PREORDERs of
    /// <paramref name="preorderRows"/> its REGISTERs reveal; the PREORDERs of <paramref name="aging"/> no resolved name
    /// reveals are marked unrevealed. A row loaded twice must be the same object.
    /// </summary>
    private void ApplyVerdicts(List<NameRegistration> named, List<NameRegistration> preorderRows, List<NameRegistration> aging, int tip)
    {
        var updated = new HashSet<NameRegistration>(ReferenceEqualityComparer.Instance);
        var preordersByCommitment = preorderRows.ToLookup(r => r.Commitment!, StringComparer.Ordinal);
        foreach (var group in named.GroupBy(r => r.Name!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var name = group.Key;
            var rows = group.ToList();
            rows.AddRange([.. rows.Where(r => r.Kind == NameRegistrationKind.Register).Select(r => r.Commitment!)
                .Distinct(StringComparer.Ordinal).SelectMany(c => preordersByCommitment[c])]);
            var byPosition = new Dictionary<(string, int), NameRegistration>();
            foreach (var row in rows)
            {
                byPosition.TryAdd((row.Txid, row.Vout), row); // a duplicate position fails on insert (unique index)
            }
            var resolution = NameOwnershipResolver.Resolve(name, rows.Select(ToEntry), tip, confirmations);
            foreach (var verdict in resolution.Entries)
            {
                var row = byPosition[(verdict.Entry.Txid, verdict.Entry.Position.Vout)];
                row.Valid = verdict.Valid;
                row.Reason = verdict.Reason;
                row.Status = verdict.Pending ? NameRegistrationStatus.Pending : resolution.Status switch
                {
                    NameStatus.Pending => NameRegistrationStatus.Pending,
                    NameStatus.Settling => NameRegistrationStatus.Settling,
                    _ => NameRegistrationStatus.Settled,
                };
                if (row.Kind == NameRegistrationKind.Preorder)
                {
                    row.Name = name; // revealed: the portal lists it among the name's entries
                }
                updated.Add(row);
            }
        }
        // PREORDERs no REGISTER reveals (yet, or any more after a rollback) only age: unconfirmed, then final.
        foreach (var row in aging.Where(r => !updated.Contains(r)))
        {
            row.Name = null;
            row.Reason = NameEntryReasons.NotRevealed;
            row.Valid = false;
            row.Status = tip - row.BlockHeight!.Value + 1 >= confirmations ? NameRegistrationStatus.Settling : NameRegistrationStatus.Pending;
        }
    }

    private static NameRegistration ToEntity(NameEntry entry) => new()
    {
        Name = entry.Name,
        Kind = entry.Kind switch
        {
            NameEntryKind.Claim => NameRegistrationKind.Claim,
            NameEntryKind.Preorder => NameRegistrationKind.Preorder,
            _ => NameRegistrationKind.Register,
        },
        KeyHash = entry.KeyHash?.ToString(),
        Commitment = entry.Commitment?.ToString(),
        Salt = entry.Kind == NameEntryKind.Register ? Convert.ToHexStringLower(entry.Payload.Salt.Span) : null,
        Txid = entry.Txid,
        Vout = entry.Position.Vout,
        BlockHeight = entry.Height,
        BlockHash = entry.BlockHash,
        TxIndex = entry.Position.TxIndex,
        Status = NameRegistrationStatus.Pending,
        Valid = false,
        Reason = null,
    };

    private static NameEntry ToEntry(NameRegistration row)
    {
        var payload = row.Kind switch
        {
            NameRegistrationKind.Claim => NameEntryPayload.Claim(row.Name!, Hash20.Parse(row.KeyHash!)),
            NameRegistrationKind.Preorder => NameEntryPayload.Preorder(Hash20.Parse(row.Commitment!)),
            _ => NameEntryPayload.Register(row.Name!, Hash20.Parse(row.KeyHash!), Convert.FromHexString(row.Salt!)),
        };
        return new NameEntry(new NamePosition(row.BlockHeight!.Value, row.TxIndex!.Value, row.Vout), row.Txid, row.BlockHash!, payload);
    }
}
