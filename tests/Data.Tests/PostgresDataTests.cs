using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Data.Tests;

/// <summary>The same data suite on a real PostgreSQL (GITTORRENT_TEST_POSTGRES, started by ./test.sh).</summary>
public sealed class PostgresDataTests(PostgresDatabaseFixture fixture) : DataSuite<PostgresDatabaseFixture>(fixture)
{
    [Fact]
    public async Task TrigramExtensionAndIndexesExist()
    {
        using var cts = new CancellationTokenSource(DatabaseFixture.Timeout);
        await using var db = Fixture.Factory.CreateDbContext();
        var extensions = await db.Database.SqlQueryRaw<string>("SELECT extname AS \"Value\" FROM pg_extension")
            .ToListAsync(cts.Token).WaitAsync(DatabaseFixture.Timeout);
        Assert.Contains("pg_trgm", extensions);

        var indexes = await db.Database.SqlQueryRaw<string>(
                "SELECT indexdef AS \"Value\" FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%' ORDER BY indexname")
            .ToListAsync(cts.Token).WaitAsync(DatabaseFixture.Timeout);
        Assert.Equal(3, indexes.Count);
        Assert.Contains(indexes, i => i.Contains("name_registrations", StringComparison.Ordinal) && i.Contains("\"Name\"", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("users", StringComparison.Ordinal) && i.Contains("\"DisplayName\"", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("repositories", StringComparison.Ordinal) && i.Contains("\"Name\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubstringSearchUsesTheTrigramIndexOperators()
    {
        using var cts = new CancellationTokenSource(DatabaseFixture.Timeout);
        await using var db = Fixture.Factory.CreateDbContext();
        // Forbid sequential scans so the planner must show whether the GIN index can serve ILIKE '%...%'.
        await db.Database.OpenConnectionAsync(cts.Token);
        await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off", cts.Token);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "EXPLAIN SELECT \"Id\" FROM repositories WHERE \"Name\" ILIKE '%torrent%'";
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cts.Token).WaitAsync(DatabaseFixture.Timeout))
        {
            while (await reader.ReadAsync(cts.Token))
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains("IX_repositories_Name_trgm", StringComparison.Ordinal));
        await db.Database.CloseConnectionAsync();
    }
}
