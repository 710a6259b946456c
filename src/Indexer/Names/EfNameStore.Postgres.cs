using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine.Names;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// The PostgreSQL apply path: the same rows and verdicts as the EF Core path (<see cref="ApplyVerdicts"/> is shared),
/// in three round trips per batch whatever its size (on a loaded machine each costs more than the work): one read
/// (the checkpoint, locked, and every row whose verdict the batch can change, in one statement), one write
/// (checkpoints, new rows and changed verdicts as set-based statements over <c>unnest</c> arrays) and the commit. No
/// change tracking: new rows are only inserted, and a stored row is written back only when its verdict changed.
/// </summary>
public sealed partial class EfNameStore
{
    private const string Columns = """
        "Id", "Name", "Kind", "KeyHash", "Commitment", "Salt", "Txid", "Vout", "BlockHeight", "BlockHash", "TxIndex", "Status", "Valid", "Reason"
        """;

    /// <summary>
    /// The rows <see cref="RefreshAfterApplyAsync"/> loads, in one statement: the CLAIMs and REGISTERs of the names the
    /// batch touched (@touched), of the names with an entry that turned final or settled at one of its tips (heights
    /// @ff..@ft and @sf..@st) and of the names whose REGISTER a new PREORDER's commitment (@preorders) reveals; the
    /// PREORDERs the REGISTERs among them (and the new ones, @fresh) reveal; the PREORDERs from @pf up, which age. A row
    /// may come twice. The rows of each name are looked up in the Name index one name at a time (LATERAL, kept apart
    /// by OFFSET 0): as a plain join PostgreSQL scanned the whole table once the names were many (300,000 rows: 52 ms
    /// instead of 5), and = ANY(ARRAY(subquery)) compared every row with every name on a small table.
    /// </summary>
    private const string AffectedRowsSql = $"""
        WITH names AS (
            SELECT "Name" AS name FROM name_registrations
             WHERE "Name" IS NOT NULL AND ("BlockHeight" BETWEEN @ff AND @ft OR "BlockHeight" BETWEEN @sf AND @st)
            UNION SELECT unnest(@touched)
            UNION SELECT "Name" FROM name_registrations WHERE "Kind" = 'REGISTER' AND "Commitment" = ANY(@preorders)
        ), named AS (
            SELECT r.* FROM names CROSS JOIN LATERAL (
                SELECT {Columns} FROM name_registrations
                 WHERE "Name" = names.name AND "Kind" <> 'PREORDER' AND "BlockHeight" IS NOT NULL
                OFFSET 0) r
        )
        SELECT {Columns} FROM named
        UNION ALL
        SELECT {Columns} FROM name_registrations
         WHERE "Kind" = 'PREORDER' AND "BlockHeight" IS NOT NULL
           AND "Commitment" IN (SELECT "Commitment" FROM named WHERE "Kind" = 'REGISTER' UNION SELECT unnest(@fresh))
        UNION ALL
        SELECT {Columns} FROM name_registrations WHERE "Kind" = 'PREORDER' AND "BlockHeight" >= @pf
        """;

    private async Task ApplyPostgresAsync(GitTorrentDbContext db, IReadOnlyList<(int Height, string Hash, BlockNameScan Scan)> blocks,
        CancellationToken ct)
    {
        var (first, last) = (blocks[0], blocks[^1]);
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        var touched = blocks.SelectMany(b => b.Scan.Entries).ToList();
        var fresh = touched.Select(ToEntity).ToList();
        var (finalFrom, finalTo) = (first.Height - confirmations + 1, last.Height - confirmations + 1);
        var (settleFrom, settleTo) = (finalFrom - NameOwnershipResolver.SettlingWindow, finalTo - NameOwnershipResolver.SettlingWindow);
        var preorderFrom = Math.Min(finalFrom, first.Height);

        // Round trip 1: the checkpoint (locked, so a second writer waits and then fails the height check) and the rows.
        int? stateHeight = null;
        var stored = new Dictionary<long, (NameRegistration Row, string? Name, bool Valid, string? Reason, NameRegistrationStatus Status)>();
        await using (var read = new NpgsqlBatch(connection, transaction))
        {
            var state = new NpgsqlBatchCommand("""SELECT "Height" FROM chain_state WHERE "Chain" = @chain FOR UPDATE""");
            state.Parameters.AddWithValue("chain", Chain);
            read.BatchCommands.Add(state);
            var rows = new NpgsqlBatchCommand(AffectedRowsSql);
            rows.Parameters.AddWithValue("ff", finalFrom);
            rows.Parameters.AddWithValue("ft", finalTo);
            rows.Parameters.AddWithValue("sf", settleFrom);
            rows.Parameters.AddWithValue("st", settleTo);
            rows.Parameters.AddWithValue("pf", preorderFrom);
            rows.Parameters.Add(TextArray("touched", touched.Where(e => e.Name is not null).Select(e => e.Name).Distinct(StringComparer.Ordinal)));
            rows.Parameters.Add(TextArray("preorders", touched.Where(e => e.Kind == NameEntryKind.Preorder)
                .Select(e => e.Commitment!.Value.ToString()).Distinct(StringComparer.Ordinal)));
            rows.Parameters.Add(TextArray("fresh", fresh.Where(r => r.Kind == NameRegistrationKind.Register).Select(r => r.Commitment)
                .Distinct(StringComparer.Ordinal)));
            read.BatchCommands.Add(rows);
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                stateHeight = reader.GetInt32(0);
            }
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            await ReadRowsAsync(reader, stored, ct).ConfigureAwait(false);
        }
        if (stateHeight is { } height && first.Height != height + 1)
        {
            throw new InvalidOperationException($"Cannot apply block {first.Height} on {Chain}: the indexed tip is {height}.");
        }

        // The same inputs as the EF Core path: every new CLAIM and REGISTER (their names are all among the touched
        // ones), the PREORDERs (stored and new) whose commitment one of them carries, and every PREORDER from @pf up.
        var named = stored.Values.Select(s => s.Row).Where(r => r.Kind != NameRegistrationKind.Preorder)
            .Concat(fresh.Where(r => r.Kind != NameRegistrationKind.Preorder))
            .ToList();
        var wanted = named.Where(r => r.Kind == NameRegistrationKind.Register).Select(r => r.Commitment!).ToHashSet(StringComparer.Ordinal);
        var preorders = stored.Values.Select(s => s.Row).Where(r => r.Kind == NameRegistrationKind.Preorder)
            .Concat(fresh.Where(r => r.Kind == NameRegistrationKind.Preorder))
            .ToList();
        var preorderRows = preorders.Where(r => wanted.Contains(r.Commitment!)).ToList();
        var aging = preorders.Where(r => r.BlockHeight >= preorderFrom).ToList();
        ApplyVerdicts(named, preorderRows, aging, last.Height);
        var changed = stored.Values
            .Where(s => s.Row.Name != s.Name || s.Row.Valid != s.Valid || s.Row.Reason != s.Reason || s.Row.Status != s.Status)
            .Select(s => s.Row)
            .ToList();

        // Round trip 2: checkpoints, new rows, changed verdicts.
        var now = time.GetUtcNow();
        await using (var write = new NpgsqlBatch(connection, transaction))
        {
            var processed = new NpgsqlBatchCommand("""
                INSERT INTO processed_blocks ("Chain", "Height", "Hash", "ProcessedAt")
                SELECT @chain, h, b, @now FROM unnest(@heights, @hashes) AS u(h, b)
                """);
            processed.Parameters.AddWithValue("chain", Chain);
            processed.Parameters.AddWithValue("now", now);
            processed.Parameters.AddWithValue("heights", blocks.Select(b => b.Height).ToArray());
            processed.Parameters.AddWithValue("hashes", blocks.Select(b => b.Hash).ToArray());
            write.BatchCommands.Add(processed);

            var checkpoint = new NpgsqlBatchCommand(stateHeight is null
                ? """INSERT INTO chain_state ("Chain", "Height", "Hash", "UpdatedAt") VALUES (@chain, @height, @hash, @now)"""
                : """UPDATE chain_state SET "Height" = @height, "Hash" = @hash, "UpdatedAt" = @now WHERE "Chain" = @chain""");
            checkpoint.Parameters.AddWithValue("chain", Chain);
            checkpoint.Parameters.AddWithValue("height", last.Height);
            checkpoint.Parameters.AddWithValue("hash", last.Hash);
            checkpoint.Parameters.AddWithValue("now", now);
            write.BatchCommands.Add(checkpoint);

            if (fresh.Count > 0)
            {
                var insert = new NpgsqlBatchCommand("""
                    INSERT INTO name_registrations ("Name", "Kind", "KeyHash", "Commitment", "Salt", "Txid", "Vout", "BlockHeight", "BlockHash", "TxIndex", "Status", "Valid", "Reason")
                    SELECT * FROM unnest(@names, @kinds, @keys, @commitments, @salts, @txids, @vouts, @heights, @hashes, @indexes, @statuses, @valids, @reasons)
                    """);
                insert.Parameters.Add(TextArray("names", fresh.Select(r => r.Name)));
                insert.Parameters.Add(TextArray("kinds", fresh.Select(r => KindText(r.Kind))));
                insert.Parameters.Add(TextArray("keys", fresh.Select(r => r.KeyHash)));
                insert.Parameters.Add(TextArray("commitments", fresh.Select(r => r.Commitment)));
                insert.Parameters.Add(TextArray("salts", fresh.Select(r => r.Salt)));
                insert.Parameters.Add(TextArray("txids", fresh.Select(r => r.Txid)));
                insert.Parameters.AddWithValue("vouts", fresh.Select(r => r.Vout).ToArray());
                insert.Parameters.AddWithValue("heights", fresh.Select(r => r.BlockHeight!.Value).ToArray());
                insert.Parameters.Add(TextArray("hashes", fresh.Select(r => r.BlockHash)));
                insert.Parameters.AddWithValue("indexes", fresh.Select(r => r.TxIndex!.Value).ToArray());
                insert.Parameters.Add(TextArray("statuses", fresh.Select(r => StatusText(r.Status))));
                insert.Parameters.AddWithValue("valids", fresh.Select(r => r.Valid).ToArray());
                insert.Parameters.Add(TextArray("reasons", fresh.Select(r => r.Reason)));
                write.BatchCommands.Add(insert);
            }

            if (changed.Count > 0)
            {
                var update = new NpgsqlBatchCommand("""
                    UPDATE name_registrations AS r SET "Name" = u.name, "Status" = u.status, "Valid" = u.valid, "Reason" = u.reason
                    FROM unnest(@ids, @names, @statuses, @valids, @reasons) AS u(id, name, status, valid, reason)
                    WHERE r."Id" = u.id
                    """);
                update.Parameters.AddWithValue("ids", changed.Select(r => r.Id).ToArray());
                update.Parameters.Add(TextArray("names", changed.Select(r => r.Name)));
                update.Parameters.Add(TextArray("statuses", changed.Select(r => StatusText(r.Status))));
                update.Parameters.AddWithValue("valids", changed.Select(r => r.Valid).ToArray());
                update.Parameters.Add(TextArray("reasons", changed.Select(r => r.Reason)));
                write.BatchCommands.Add(update);
            }
            try
            {
                await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                // The store's contract on both providers (a duplicate position, a concurrent writer): nothing is written.
                throw new DbUpdateException($"Applying blocks {first.Height}..{last.Height} on {Chain} failed: {e.MessageText}", e);
            }
        }

        // Round trip 3.
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task ReadRowsAsync(NpgsqlDataReader reader,
        Dictionary<long, (NameRegistration Row, string? Name, bool Valid, string? Reason, NameRegistrationStatus Status)> stored, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            if (!stored.ContainsKey(id))
            {
                var row = ReadRow(reader);
                stored[id] = (row, row.Name, row.Valid, row.Reason, row.Status); // the verdict as stored, to write back only changes
            }
        }
    }

    private static NameRegistration ReadRow(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Name = reader.IsDBNull(1) ? null : reader.GetString(1),
        Kind = Enum.Parse<NameRegistrationKind>(reader.GetString(2), ignoreCase: true),
        KeyHash = reader.IsDBNull(3) ? null : reader.GetString(3),
        Commitment = reader.IsDBNull(4) ? null : reader.GetString(4),
        Salt = reader.IsDBNull(5) ? null : reader.GetString(5),
        Txid = reader.GetString(6),
        Vout = reader.GetInt32(7),
        BlockHeight = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        BlockHash = reader.IsDBNull(9) ? null : reader.GetString(9),
        TxIndex = reader.IsDBNull(10) ? null : reader.GetInt32(10),
        Status = Enum.Parse<NameRegistrationStatus>(reader.GetString(11), ignoreCase: true),
        Valid = reader.GetBoolean(12),
        Reason = reader.IsDBNull(13) ? null : reader.GetString(13),
    };

    /// <summary>As the model's value converters store them (NameRegistrationConfiguration).</summary>
    private static string KindText(NameRegistrationKind kind) => kind.ToString().ToUpperInvariant();

    private static string StatusText(NameRegistrationStatus status) => status.ToString().ToLowerInvariant();

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}
