using System.Globalization;
using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Indexer.Tests.Names;

/// <summary>
/// A full dump of the tables the indexer writes (name_registrations, processed_blocks, chain_state, users,
/// repositories, refs), one line per row ordered by natural key, every column except surrogate ids (identity values
/// consumed by a killed transaction are gone for good) and the wall-clock timestamps that legitimately differ
/// between two runs.
/// </summary>
internal sealed record IndexTableDump(IReadOnlyDictionary<string, IReadOnlyList<string>> Tables)
{
    public static async Task<IndexTableDump> ReadAsync(IDbContextFactory<GitTorrentDbContext> factory, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var names = (await db.NameRegistrations.AsNoTracking().ToListAsync(ct))
            .OrderBy(n => n.Txid, StringComparer.Ordinal).ThenBy(n => n.Vout)
            .Select(n => Line(n.Txid, n.Vout, n.Kind, n.Name, n.KeyHash, n.Commitment, n.Salt, n.BlockHeight, n.BlockHash,
                n.TxIndex, n.Status, n.Valid, n.Reason))
            .ToList();
        var blocks = (await db.ProcessedBlocks.AsNoTracking().ToListAsync(ct))
            .OrderBy(b => b.Chain, StringComparer.Ordinal).ThenBy(b => b.Height)
            .Select(b => Line(b.Chain, b.Height, b.Hash))
            .ToList();
        var state = (await db.ChainStates.AsNoTracking().ToListAsync(ct))
            .OrderBy(c => c.Chain, StringComparer.Ordinal)
            .Select(c => Line(c.Chain, c.Height, c.Hash))
            .ToList();
        var users = (await db.Users.AsNoTracking().ToListAsync(ct))
            .OrderBy(u => u.UserId, StringComparer.Ordinal)
            .Select(u => Line(u.UserId, Convert.ToHexStringLower(u.PublicKey), u.Seq, Convert.ToHexStringLower(u.RawProfile),
                Convert.ToHexStringLower(u.Signature), u.DisplayName, u.Email, u.NextCrawl is null, u.CrawlFailures))
            .ToList();
        var repositories = (await db.Repositories.AsNoTracking().ToListAsync(ct))
            .OrderBy(r => r.UserId, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => Line(r.UserId, r.Name, r.Head))
            .ToList();
        var refs = (await db.Refs.AsNoTracking().Select(f => new { f.Repository!.UserId, Repository = f.Repository.Name, f.Name, f.Target })
                .ToListAsync(ct))
            .OrderBy(f => f.UserId, StringComparer.Ordinal).ThenBy(f => f.Repository, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => Line(f.UserId, f.Repository, f.Name, f.Target))
            .ToList();
        return new IndexTableDump(new Dictionary<string, IReadOnlyList<string>>
        {
            ["name_registrations"] = names,
            ["processed_blocks"] = blocks,
            ["chain_state"] = state,
            ["users"] = users,
            ["repositories"] = repositories,
            ["refs"] = refs,
        });
    }

    /// <summary>Null when both dumps are equal, else the first difference of every table that differs.</summary>
    public static string? Difference(IndexTableDump expected, IndexTableDump actual)
    {
        var problems = new List<string>();
        foreach (var (table, want) in expected.Tables)
        {
            var got = actual.Tables[table];
            if (want.SequenceEqual(got, StringComparer.Ordinal))
            {
                continue;
            }
            var at = Enumerable.Range(0, Math.Min(want.Count, got.Count)).FirstOrDefault(i => want[i] != got[i], Math.Min(want.Count, got.Count));
            problems.Add($"{table}: {want.Count} rows expected, {got.Count} found; first difference at row {at}:\n"
                + $"  expected {(at < want.Count ? want[at] : "(none)")}\n  found    {(at < got.Count ? got[at] : "(none)")}");
        }
        return problems.Count == 0 ? null : string.Join('\n', problems);
    }

    private static string Line(params object?[] values) =>
        string.Join('|', values.Select(v => v switch
        {
            null => "∅",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }));
}
