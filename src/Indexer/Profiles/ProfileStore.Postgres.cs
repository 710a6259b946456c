using GitTorrent.Data;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GitTorrent.Indexer.Profiles;

/// <summary>The PostgreSQL write path: one transaction, about ten statements per batch whatever its size.</summary>
public sealed partial class ProfileStore
{
    private static async Task<(int Stored, int Unchanged)> StorePostgresAsync(
        GitTorrentDbContext db, List<SignedProfile> valid, DateTimeOffset now, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        // Lock the known users of the batch, so a concurrent writer cannot slip an older profile in between.
        var ids = valid.Select(p => p.UserId.ToString()).ToArray();
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var select = Command(connection, transaction, """SELECT "UserId", "Seq" FROM users WHERE "UserId" = ANY(@ids) FOR UPDATE"""))
        {
            select.Parameters.AddWithValue("ids", ids);
            await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                known[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        var newer = valid.Where(p => !known.TryGetValue(p.UserId.ToString(), out var seq) || seq < p.Seq).ToList();
        var same = valid.Where(p => known.TryGetValue(p.UserId.ToString(), out var seq) && seq >= p.Seq).Select(p => p.UserId.ToString()).ToArray();
        if (same.Length > 0)
        {
            await using var touch = Command(connection, transaction, """UPDATE users SET "LastSeen" = @now WHERE "UserId" = ANY(@ids)""");
            touch.Parameters.AddWithValue("now", now);
            touch.Parameters.AddWithValue("ids", same);
            await touch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        if (newer.Count > 0)
        {
            await UpsertUsersAsync(connection, transaction, newer, now, ct).ConfigureAwait(false);
            await ReplaceRepositoriesAsync(connection, transaction, newer, now, ct).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return (newer.Count, same.Length);
    }

    private static async Task UpsertUsersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<SignedProfile> newer,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var upsert = Command(connection, transaction, """
            INSERT INTO users ("UserId", "PublicKey", "Seq", "RawProfile", "Signature", "DisplayName", "Email", "FirstSeen", "LastSeen", "UpdatedAt", "CrawlFailures")
            SELECT u.id, u.key, u.seq, u.raw, u.sig, u.name, u.email, @now, @now, @now, 0
            FROM unnest(@ids, @keys, @seqs, @raws, @sigs, @names, @emails) AS u(id, key, seq, raw, sig, name, email)
            ON CONFLICT ("UserId") DO UPDATE SET
                "PublicKey" = excluded."PublicKey", "Seq" = excluded."Seq", "RawProfile" = excluded."RawProfile",
                "Signature" = excluded."Signature", "DisplayName" = excluded."DisplayName", "Email" = excluded."Email",
                "LastSeen" = excluded."LastSeen", "UpdatedAt" = excluded."UpdatedAt", "CrawlFailures" = 0
            """);
        upsert.Parameters.AddWithValue("now", now);
        upsert.Parameters.AddWithValue("ids", newer.Select(p => p.UserId.ToString()).ToArray());
        upsert.Parameters.AddWithValue("keys", newer.Select(p => p.PublicKey).ToArray());
        upsert.Parameters.AddWithValue("seqs", newer.Select(p => p.Seq).ToArray());
        upsert.Parameters.AddWithValue("raws", newer.Select(p => p.RawValue).ToArray());
        upsert.Parameters.AddWithValue("sigs", newer.Select(p => p.Signature).ToArray());
        upsert.Parameters.Add(TextArray("names", newer.Select(p => Cut(p.Profile.Name, DataLimits.MaxDisplayName))));
        upsert.Parameters.Add(TextArray("emails", newer.Select(p => Cut(p.Profile.Email, DataLimits.MaxEmail))));
        await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Same outcome as <see cref="Apply"/>: drop unpublished repositories, add new ones, replace changed refs.</summary>
    private static async Task ReplaceRepositoriesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<SignedProfile> newer,
        DateTimeOffset now, CancellationToken ct)
    {
        // What is stored now: (user, repository) -> id and refs.
        var stored = new Dictionary<(string User, string Name), (long Id, Dictionary<string, string> Refs)>();
        await using (var select = Command(connection, transaction, """
            SELECT r."Id", r."UserId", r."Name", f."Name", f."Target"
            FROM repositories r LEFT JOIN refs f ON f."RepositoryId" = r."Id"
            WHERE r."UserId" = ANY(@ids)
            """))
        {
            select.Parameters.AddWithValue("ids", newer.Select(p => p.UserId.ToString()).ToArray());
            await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var key = (reader.GetString(1), reader.GetString(2));
                if (!stored.TryGetValue(key, out var repository))
                {
                    stored[key] = repository = (reader.GetInt64(0), new Dictionary<string, string>(StringComparer.Ordinal));
                }
                if (!reader.IsDBNull(3))
                {
                    repository.Refs[reader.GetString(3)] = reader.GetString(4);
                }
            }
        }

        var published = new HashSet<(string User, string Name)>();
        var drop = new List<long>();
        var changed = new List<(long Id, string? Head)>();
        var created = new List<(string User, string Name, string? Head)>();
        var refsOf = new Dictionary<(string User, string Name), IReadOnlyDictionary<string, Engine.Hash20>>();
        foreach (var profile in newer)
        {
            var user = profile.UserId.ToString();
            foreach (var (name, refs) in profile.Profile.Repositories)
            {
                published.Add((user, name));
                if (name.Length > DataLimits.MaxRepositoryName)
                {
                    continue;
                }
                var head = refs.Count == 0 ? null : UserProfile.GuessHeadTarget(refs);
                if (!stored.TryGetValue((user, name), out var repository))
                {
                    created.Add((user, name, head));
                    refsOf[(user, name)] = refs;
                }
                else if (repository.Refs.Count != refs.Count
                    || repository.Refs.Any(r => !refs.TryGetValue(r.Key, out var target) || target.ToString() != r.Value))
                {
                    changed.Add((repository.Id, head));
                    refsOf[(user, name)] = refs;
                }
            }
        }
        drop.AddRange(stored.Where(s => !published.Contains(s.Key)).Select(s => s.Value.Id));

        if (drop.Count > 0)
        {
            await using var delete = Command(connection, transaction, """DELETE FROM repositories WHERE "Id" = ANY(@ids)"""); // refs cascade
            delete.Parameters.AddWithValue("ids", drop.ToArray());
            await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        var repositoryIds = new Dictionary<(string User, string Name), long>();
        if (changed.Count > 0)
        {
            await using var update = Command(connection, transaction, """
                DELETE FROM refs WHERE "RepositoryId" = ANY(@ids);
                UPDATE repositories AS r SET "Head" = u.head, "LastUpdated" = @now
                FROM unnest(@ids, @heads) AS u(id, head) WHERE r."Id" = u.id;
                """);
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("ids", changed.Select(c => c.Id).ToArray());
            update.Parameters.Add(TextArray("heads", changed.Select(c => c.Head)));
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            foreach (var (key, repository) in stored)
            {
                repositoryIds[key] = repository.Id;
            }
        }
        if (created.Count > 0)
        {
            await using var insert = Command(connection, transaction, """
                INSERT INTO repositories ("UserId", "Name", "Head", "LastUpdated")
                SELECT u.uid, u.name, u.head, @now FROM unnest(@uids, @names, @heads) AS u(uid, name, head)
                RETURNING "Id", "UserId", "Name"
                """);
            insert.Parameters.AddWithValue("now", now);
            insert.Parameters.AddWithValue("uids", created.Select(c => c.User).ToArray());
            insert.Parameters.AddWithValue("names", created.Select(c => c.Name).ToArray());
            insert.Parameters.Add(TextArray("heads", created.Select(c => c.Head)));
            await using var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                repositoryIds[(reader.GetString(1), reader.GetString(2))] = reader.GetInt64(0);
            }
        }
        var rows = refsOf.SelectMany(r => r.Value.Select(f => (Repository: repositoryIds[r.Key], Name: f.Key, Target: f.Value.ToString()))).ToList();
        if (rows.Count > 0)
        {
            await using var refs = Command(connection, transaction, """
                INSERT INTO refs ("RepositoryId", "Name", "Target") SELECT * FROM unnest(@repositories, @names, @targets)
                """);
            refs.Parameters.AddWithValue("repositories", rows.Select(r => r.Repository).ToArray());
            refs.Parameters.AddWithValue("names", rows.Select(r => r.Name).ToArray());
            refs.Parameters.AddWithValue("targets", rows.Select(r => r.Target).ToArray());
            await refs.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql) =>
        new(sql, connection, transaction);

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}
