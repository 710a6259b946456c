using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.TestSupport;
using GitTorrent.Web.Services;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Tests.Services;

/// <summary>
/// <see cref="SearchService"/> on SQLite (PostgreSQL: <see cref="SearchPlanTests"/>): exact before prefix before
/// substring, user ids by prefix, pages, and queries from a browser that try LIKE's wildcards or are out of bounds.
/// </summary>
public sealed class SearchServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _folder = new("search");
    private DbContextOptions<SqliteDbContext> _options = null!;

    public async Task InitializeAsync()
    {
        _options = new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={Path.Combine(_folder.Path, "search.db")}").Options;
        await using var db = new SqliteDbContext(_options);
        await db.Database.MigrateAsync().WaitAsync(Timeout);
        var now = DateTimeOffset.UnixEpoch;
        // The exact match is the oldest: only the ranking puts it first.
        string[] names = ["my-bob-tools", "bob", "bobcat", "100%_bob"];
        for (var i = 0; i < names.Length; i++)
        {
            var id = $"{i:x2}".PadRight(40, 'c');
            db.Users.Add(new User
            {
                UserId = id, PublicKey = new byte[32], RawProfile = [], Signature = new byte[64], DisplayName = names[i],
                LastSeen = now.AddDays(names[i] == "bob" ? 0 : 10 + i),
            });
        }
        for (var i = 0; i < SearchService.PageSize + 3; i++)
        {
            db.Repositories.Add(new Repository { UserId = "00".PadRight(40, 'c'), Name = $"lib-bob-{i:d3}", LastUpdated = now.AddHours(i) });
        }
        db.Repositories.Add(new Repository { UserId = "01".PadRight(40, 'c'), Name = "bob", LastUpdated = now });
        db.NameRegistrations.Add(new NameRegistration { Name = "xbob", Txid = "t0" });
        db.NameRegistrations.Add(new NameRegistration { Name = "bobby", Txid = "t1" });
        db.NameRegistrations.Add(new NameRegistration { Name = "bob", Txid = "t2" });
        await db.SaveChangesAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Exact_then_prefix_then_substring_and_pages_of_fifty()
    {
        var search = new SearchService(new Factory(_options));

        var first = await search.SearchAsync("BOB", 1, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(["bob", "bobby", "xbob"], first.Names);
        Assert.Equal(["bob", "bobcat"], first.Users.Take(2).Select(u => u.DisplayName));
        Assert.Equal("bob", first.Repositories[0].Name);
        Assert.Equal(SearchService.PageSize, first.Repositories.Count);
        Assert.True(first.HasMore);

        var second = await search.SearchAsync("bob", 2, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(4, second.Repositories.Count);
        Assert.False(second.HasMore);
        Assert.Empty(first.Repositories.Select(r => r.Name).Intersect(second.Repositories.Select(r => r.Name)));
    }

    [Fact]
    public async Task User_ids_match_by_prefix_only()
    {
        var search = new SearchService(new Factory(_options));
        var id = "02".PadRight(40, 'c');

        Assert.Equal([id], (await search.SearchAsync(id[..10], CancellationToken.None).WaitAsync(Timeout)).Users.Select(u => u.UserId));
        Assert.Empty((await search.SearchAsync(id[10..], CancellationToken.None).WaitAsync(Timeout)).Users);
    }

    [Theory]
    [InlineData("%", 0)] // a literal percent sign: only "100%_bob" has one
    [InlineData("_", 0)]
    [InlineData("%_", 0)]
    [InlineData("\\", -1)]
    [InlineData("b%b", -1)]
    [InlineData("b_b", -1)]
    public async Task Wildcards_in_a_query_match_themselves(string query, int expectedUser)
    {
        var search = new SearchService(new Factory(_options));

        var results = await search.SearchAsync(query, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(expectedUser < 0 ? [] : ["100%_bob"], results.Users.Select(u => u.DisplayName));
        Assert.Empty(results.Names);
        Assert.DoesNotContain(results.Repositories, r => !r.Name.Contains(query, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("   ", 1)]
    [InlineData("bob", 0)]
    [InlineData("bob", -3)]
    [InlineData("bob", SearchService.MaxPage + 1)]
    public async Task Empty_queries_and_pages_out_of_range_give_nothing(string query, int page)
    {
        var results = await new SearchService(new Factory(_options)).SearchAsync(query, page, CancellationToken.None).WaitAsync(Timeout);

        Assert.Same(SearchResults.Empty, results);
    }

    [Fact]
    public async Task A_query_longer_than_the_bound_gives_nothing()
    {
        var results = await new SearchService(new Factory(_options))
            .SearchAsync(new string('b', SearchService.MaxQueryLength + 1), CancellationToken.None).WaitAsync(Timeout);

        Assert.Same(SearchResults.Empty, results);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private sealed class Factory(DbContextOptions<SqliteDbContext> options) : IDbContextFactory<GitTorrentDbContext>
    {
        public GitTorrentDbContext CreateDbContext() => new SqliteDbContext(options);
    }
}
