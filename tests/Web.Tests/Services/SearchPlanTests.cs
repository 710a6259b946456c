using System.Data.Common;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.TestSupport;
using GitTorrent.Web.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace GitTorrent.Web.Tests.Services;

/// <summary>
/// Issue 13: search on PostgreSQL uses the trigram GIN indexes it claims (checked with EXPLAIN of the very commands the
/// search sends, sequential scans disabled so the planner shows whether an index can answer), ranks exact > prefix >
/// trigram similarity, and pages.
/// </summary>
public sealed class SearchPlanTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Search_on_PostgreSQL_uses_the_trigram_indexes_ranks_exact_then_prefix_and_pages()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var connection = TestPostgres.NewDatabaseConnectionString("search");
        var explainer = new Explainer();
        var options = new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(connection).AddInterceptors(explainer).Options;
        try
        {
            await using (var db = new PostgresDbContext(options))
            {
                await db.Database.MigrateAsync(cts.Token);
                var now = DateTimeOffset.UnixEpoch;
                // The exact name is the oldest and the prefix the least similar of its kind: only the ranking puts them first.
                string[] displayNames = ["xxxxxxxx alicexx", "alice", "alice the second", "malice"];
                for (var i = 0; i < displayNames.Length; i++)
                {
                    var id = $"{i:x2}".PadLeft(40, 'a');
                    db.Users.Add(new User
                    {
                        UserId = id, PublicKey = new byte[32], RawProfile = [], Signature = new byte[64], DisplayName = displayNames[i],
                        LastSeen = now.AddDays(displayNames[i] == "alice" ? 0 : 10 + i),
                    });
                }
                for (var i = 0; i < SearchService.PageSize + 5; i++)
                {
                    db.Repositories.Add(new Repository { UserId = "a".PadLeft(40, 'a')[..38] + "00", Name = $"proj-alice-{i:d3}", LastUpdated = now.AddHours(i) });
                }
                db.Repositories.Add(new Repository { UserId = "00".PadLeft(40, 'a'), Name = "alice", LastUpdated = now });
                db.NameRegistrations.Add(new NameRegistration { Name = "zalice", Txid = "t1" });
                db.NameRegistrations.Add(new NameRegistration { Name = "aalice", Txid = "t0" });
                db.NameRegistrations.Add(new NameRegistration { Name = "alice", Txid = "t2" });
                db.NameRegistrations.Add(new NameRegistration { Name = "alicebob", Txid = "t3" });
                await db.SaveChangesAsync(cts.Token);
            }
            var search = new SearchService(new Factory(options));
            explainer.Enabled = true;
            var first = await search.SearchAsync("Alice", 1, cts.Token);
            explainer.Enabled = false;
            var plans = string.Join("\n----\n", explainer.Plans);
            Assert.Contains("IX_users_DisplayName_trgm", plans, StringComparison.Ordinal);
            Assert.Contains("IX_repositories_Name_trgm", plans, StringComparison.Ordinal);
            Assert.Contains("IX_name_registrations_Name_trgm", plans, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "gittorrent-search-plans.txt"), plans, cts.Token);

            Assert.Equal(["alice", "alicebob", "aalice", "zalice"], first.Names);
            Assert.Equal(["alice", "alice the second"], first.Users.Take(2).Select(u => u.DisplayName));
            Assert.Equal("alice", first.Repositories[0].Name);
            Assert.Equal(SearchService.PageSize, first.Repositories.Count);
            Assert.True(first.HasMore);
            var second = await search.SearchAsync("alice", 2, cts.Token);
            Assert.Equal(6, second.Repositories.Count);
            Assert.False(second.HasMore);
            Assert.Empty(first.Repositories.Select(r => r.Name).Intersect(second.Repositories.Select(r => r.Name)));

        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connection, CancellationToken.None).WaitAsync(Timeout);
        }
    }

    private sealed class Factory(DbContextOptions<PostgresDbContext> options) : IDbContextFactory<GitTorrentDbContext>
    {
        public GitTorrentDbContext CreateDbContext() => new PostgresDbContext(options);
    }

    /// <summary>EXPLAINs every query before it runs, on the same connection with the same parameters, seq scans off.</summary>
    private sealed class Explainer : DbCommandInterceptor
    {
        public volatile bool Enabled;

        public List<string> Plans { get; } = [];

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (Enabled)
            {
                var npgsql = (NpgsqlCommand)command;
                await using (var off = new NpgsqlCommand("SET enable_seqscan = off", npgsql.Connection))
                {
                    await off.ExecuteNonQueryAsync(cancellationToken);
                }
                await using var explain = new NpgsqlCommand("EXPLAIN " + npgsql.CommandText, npgsql.Connection);
                foreach (NpgsqlParameter parameter in npgsql.Parameters)
                {
                    explain.Parameters.Add(parameter.Clone());
                }
                var lines = new List<string> { npgsql.CommandText, "" };
                await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        lines.Add(reader.GetString(0));
                    }
                }
                lock (Plans)
                {
                    Plans.Add(string.Join('\n', lines));
                }
            }
            return result;
        }
    }
}
