using GitTorrent.TestSupport;

namespace GitTorrent.Indexer.Tests;

/// <summary>The standalone indexer worker, run as a real process.</summary>
public sealed class IndexerProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string IndexerDll => RepositoryLayout.Output("src/Indexer", "GitTorrent.Indexer.dll");

    [Fact]
    public async Task MigratesItsDatabaseAndReportsNameIndexingOff()
    {
        using var data = new TempDirectory("indexer");
        await using var indexer = ProcessRunner.Start("dotnet", [IndexerDll], Environment(data.Path, null), Path.GetDirectoryName(IndexerDll));

        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline && !indexer.HasExited
            && !indexer.AllOutput.Any(l => l.Contains("name indexing off", StringComparison.Ordinal)))
        {
            await Task.Delay(100);
        }

        Assert.False(indexer.HasExited, indexer.Describe());
        Assert.Contains(indexer.AllOutput, l => l.Contains("name indexing off: no GitTorrent:Bitcoin:Rpc configured", StringComparison.Ordinal));
        Assert.Contains(indexer.AllOutput, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"Applied [1-9][0-9]* migration"));
        Assert.True(File.Exists(Path.Combine(data.Path, "gittorrent.db")));
    }

    [Fact]
    public async Task UnreachablePostgresExitsNonZeroWithOneLine()
    {
        using var data = new TempDirectory("indexer-badpg");
        var run = await ProcessRunner.RunAsync(
                "dotnet", [IndexerDll], Timeout,
                Environment(data.Path, "Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x;Timeout=5"),
                Path.GetDirectoryName(IndexerDll))
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));

        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.AllOutput, l => l.Contains("PostgreSQL", StringComparison.Ordinal));
        Assert.Contains("Cannot reach PostgreSQL at 127.0.0.1:1 — connection refused", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "gittorrent.db")), "fell back to SQLite");
    }

    private static Dictionary<string, string?> Environment(string dataDirectory, string? postgres) => new()
    {
        ["GitTorrent__DataDir"] = dataDirectory,
        ["ConnectionStrings__Postgres"] = postgres,
        ["GitTorrent__Bitcoin__Rpc"] = null,
        ["GitTorrent__Bootstrap"] = "",
        ["GitTorrent__DhtPort"] = "0",
        ["GitTorrent__BtPort"] = "0",
        ["GitTorrent__Bind"] = "127.0.0.1",
        ["DOTNET_ENVIRONMENT"] = "Production",
    };
}
