using GitTorrent.TestSupport.Bitcoin;
using System.Data.Common;
using System.Diagnostics;
using GitTorrent.Data;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// Crash safety of the name index (issue 6): the real standalone indexer process follows a 2,000-block bcoin chain
/// with a mix of name payloads, is SIGKILLed at random points and restarted, and its database must end up equal,
/// table by table, to the database of an uninterrupted run.
/// </summary>
// Alone: the kills are aimed at heights by polling the database; other test classes loading the two cores make the
// polls late and let a run overshoot to the tip before enough kills have landed.
[Collection(nameof(IndexerKillTests))]
public sealed class IndexerKillTests(KillTestChain chain, ITestOutputHelper output) : IClassFixture<KillTestChain>
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Blocks per transaction in the killed runs (the reference run uses the default, 1,000), so that kills land
    /// inside and between many transactions, and the result must not depend on where batches begin and end.
    /// </summary>
    private const int BatchBlocks = 20;

    [Fact]
    public async Task Postgres_index_survives_20_random_kills_during_a_2000_block_sync()
    {
        await using var uninterrupted = await IndexerUnderTest.CreateAsync(DatabaseProvider.Postgres, 0);
        await using var killed = await IndexerUnderTest.CreateAsync(DatabaseProvider.Postgres, 0);
        await RunAsync(uninterrupted, killed, kills: 20, startHeight: 0, seed: 6);
    }

    [Fact]
    public async Task Sqlite_index_survives_8_random_kills_during_a_1000_block_sync()
    {
        const int start = KillTestChain.Tip - 1000;
        await using var uninterrupted = await IndexerUnderTest.CreateAsync(DatabaseProvider.Sqlite, start);
        await using var killed = await IndexerUnderTest.CreateAsync(DatabaseProvider.Sqlite, start);
        await RunAsync(uninterrupted, killed, kills: 8, startHeight: start, seed: 7);
    }

    private async Task RunAsync(IndexerUnderTest uninterrupted, IndexerUnderTest killed, int kills, int startHeight, int seed)
    {
        output.WriteLine($"chain: {chain.Scenario}");
        var tip = KillTestChain.Tip;
        var log = new List<string>();

        // The reference: one run from empty to the tip.
        var clock = Stopwatch.StartNew();
        TimeSpan firstBlock;
        await using (var run = uninterrupted.Start(chain.Node.RpcUrl))
        {
            await WaitForTipAsync(uninterrupted, run, h => h is not null, ProgressTimeout);
            firstBlock = clock.Elapsed;
            await WaitForTipAsync(uninterrupted, run, h => h == tip, CatchUpTimeout);
            log.AddRange(run.AllOutput);
        }
        output.WriteLine($"uninterrupted: first batch written after {firstBlock.TotalSeconds:F1} s, at the tip after {clock.Elapsed.TotalSeconds:F1} s");

        // The same sync, killed (SIGKILL) at random points and restarted until 20 kills landed before the tip. The killed
        // runs reach bcoin through a gate that holds back block hashes above a height chosen per run, so that a run cannot
        // race past its kill point (and on to the tip) while the test's polls are late on a loaded machine.
        await using var gate = new RpcHeightGate(chain.Node.RpcUrl);
        var random = new Random(seed);
        var (killsMidSync, cycles) = (0, 0);
        var heights = new List<string>();
        clock.Restart();
        while (killsMidSync < kills)
        {
            Assert.True(++cycles <= kills * 3, $"only {killsMidSync} of {cycles - 1} kills landed before the tip; kill log: {string.Join(", ", heights)}");
            var before = await killed.TipAsync();
            Assert.True(before is null || before < tip, $"the indexer reached the tip after {killsMidSync} kills; tip after each: {string.Join(" ", heights)}");
            // Spread the kills over the sync: each run may advance a random share of the remaining blocks per remaining
            // kill, and the gate stands one to three batches past the target (so the batch holding the target can always
            // be written). Once the target is in the database the kill lands a few milliseconds later (reading, writing
            // or committing), or, in every other such run, once the run waits at the gate with blocks read but not
            // written. Both are events the test sees, not durations it guesses, so load changes where kills land, not
            // whether they do. One run in four is killed at a random moment from its start instead (start-up,
            // migration, first blocks).
            var remaining = tip - (before ?? startHeight - 1);
            var target = (before ?? startHeight - 1) + Math.Max(1, (int)Math.Ceiling(remaining / (double)(kills - killsMidSync) * random.NextDouble()));
            gate.Open(Math.Min(tip - 1, target + random.Next(BatchBlocks, 3 * BatchBlocks)));
            var anywhere = random.Next(4) == 0 ? TimeSpan.FromMilliseconds(random.Next(0, 1500)) : ProgressTimeout;
            var atTheGate = random.Next(2) == 0;
            var started = DateTime.UtcNow;
            await using var run = killed.Start(gate.Url, BatchBlocks);
            await WaitForTipAsync(killed, run, h => (h >= target && (!atTheGate || gate.HeldFor is not null)) || DateTime.UtcNow - started >= anywhere,
                ProgressTimeout + TimeSpan.FromSeconds(5));
            await Task.Delay(random.Next(0, 16));
            Assert.False(run.HasExited, $"the indexer exited by itself:\n{run.Describe()}");
            await run.StopAsync(CallTimeout); // Process.Kill: SIGKILL
            log.AddRange(run.AllOutput);
            var after = await killed.TipAsync();
            heights.Add(after?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            if (after is null || after < tip)
            {
                killsMidSync++;
            }
        }
        output.WriteLine($"{cycles} kills ({killsMidSync} before the tip) in {clock.Elapsed.TotalSeconds:F1} s; tip after each: {string.Join(" ", heights)}");
        Assert.True(heights.Select(h => h).Distinct().Count() > kills / 2, $"kills did not land at different points: {string.Join(" ", heights)}");

        gate.Open(int.MaxValue);
        await using (var run = killed.Start(gate.Url, BatchBlocks))
        {
            await WaitForTipAsync(killed, run, h => h == tip, CatchUpTimeout);
            log.AddRange(run.AllOutput);
        }
        Assert.DoesNotContain(log, l => l.Contains("sync failed", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));

        using var cts = new CancellationTokenSource(CallTimeout);
        var expected = await IndexTableDump.ReadAsync(uninterrupted.Factory, cts.Token).WaitAsync(CallTimeout);
        var actual = await IndexTableDump.ReadAsync(killed.Factory, cts.Token).WaitAsync(CallTimeout);
        Assert.Null(IndexTableDump.Difference(expected, actual));

        // The reference itself is the whole chain: every block once, every well-formed entry once, verdicts mixed.
        Assert.Equal(tip - startHeight + 1, expected.Tables["processed_blocks"].Count);
        Assert.Equal($"regtest|{tip}|{await chain.Node.GetBlockHashAsync(tip).WaitAsync(CallTimeout)}", Assert.Single(expected.Tables["chain_state"]));
        var names = expected.Tables["name_registrations"];
        if (startHeight == 0)
        {
            Assert.Equal(chain.Scenario.Entries, names.Count);
        }
        else
        {
            Assert.InRange(names.Count, 20, chain.Scenario.Entries - 1);
        }
        Assert.Contains(names, n => n.Contains("|True|owner", StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains("|False|outbid by earlier priority", StringComparison.Ordinal));
        output.WriteLine($"{names.Count} name rows, {expected.Tables["processed_blocks"].Count} processed blocks: equal");
    }

    private static async Task WaitForTipAsync(IndexerUnderTest indexer, ProcessRunner run, Func<int?, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int? height;
        while (!done(height = await indexer.TipAsync()))
        {
            Assert.False(run.HasExited, $"the indexer exited:\n{run.Describe()}");
            Assert.True(DateTime.UtcNow < deadline, $"the indexer is at height {height} after {timeout}:\n{run.Describe()}");
            await Task.Delay(10);
        }
    }

    /// <summary>One database and data folder, and how to run the standalone indexer on them.</summary>
    private sealed class IndexerUnderTest : IAsyncDisposable
    {
        private readonly TempDirectory _data;
        private readonly string? _postgres;
        private readonly int _startHeight;

        private IndexerUnderTest(TempDirectory data, string? postgres, int startHeight)
        {
            (_data, _postgres, _startHeight) = (data, postgres, startHeight);
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres })
                .Build();
            Factory = new GitTorrentDbContextFactory(DatabaseSettings.FromConfiguration(configuration, data.Path), NullLoggerFactory.Instance);
        }

        public IDbContextFactory<GitTorrentDbContext> Factory { get; }

        private static string IndexerDll => RepositoryLayout.Output("src/Indexer", "GitTorrent.Indexer.dll");

        public static Task<IndexerUnderTest> CreateAsync(DatabaseProvider provider, int startHeight) =>
            Task.FromResult(new IndexerUnderTest(
                new TempDirectory("indexer-kill"),
                provider == DatabaseProvider.Postgres ? TestPostgres.NewDatabaseConnectionString("kill") : null,
                startHeight));

        public ProcessRunner Start(Uri rpc, int? batchBlocks = null) => ProcessRunner.Start("dotnet", [IndexerDll], new Dictionary<string, string?>
        {
            ["GitTorrent__Bitcoin__BatchBlocks"] = batchBlocks?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GitTorrent__DataDir"] = _data.Path,
            ["ConnectionStrings__Postgres"] = _postgres,
            ["GitTorrent__Bitcoin__Rpc"] = rpc.ToString(),
            ["GitTorrent__Bitcoin__RpcUser"] = "x",
            ["GitTorrent__Bitcoin__RpcPassword"] = BcoinNode.ApiKey,
            ["GitTorrent__Bitcoin__Network"] = "regtest",
            ["GitTorrent__Bitcoin__PollInterval"] = "00:00:00.200",
            ["GitTorrent__Bitcoin__StartHeight"] = _startHeight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GitTorrent__Bootstrap"] = "",
            ["GitTorrent__DhtPort"] = "0",
            ["GitTorrent__BtPort"] = "0",
            ["GitTorrent__Bind"] = "127.0.0.1",
            ["DOTNET_ENVIRONMENT"] = "Production",
        }, Path.GetDirectoryName(IndexerDll));

        /// <summary>The indexed tip, or null while there is none (no database, no tables or no block yet).</summary>
        public async Task<int?> TipAsync()
        {
            using var cts = new CancellationTokenSource(CallTimeout);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var db = await Factory.CreateDbContextAsync(cts.Token);
                    var state = await db.ChainStates.AsNoTracking().FirstOrDefaultAsync(cts.Token);
                    return state?.Height;
                }
                catch (DbException e) when (attempt < 100 && e.Message.Contains("locked", StringComparison.OrdinalIgnoreCase))
                {
                    await Task.Delay(10, cts.Token); // SQLite: the writer holds the file for a moment
                }
                catch (DbException)
                {
                    return null; // no database or no tables yet
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_postgres is not null)
            {
                using var cts = new CancellationTokenSource(CallTimeout);
                await TestPostgres.DropDatabaseAsync(_postgres, cts.Token).WaitAsync(CallTimeout);
            }
            else
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            }
            _data.Dispose();
        }
    }
}

[CollectionDefinition(nameof(IndexerKillTests), DisableParallelization = true)]
public sealed class IndexerKillTestsCollection;
