using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Tests.Names;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Indexer.Tests.Jobs;

/// <summary>
/// Leases on the jobs table, decided on a fake clock (no sleeping): claim, renew, expire, take over, complete; on
/// SQLite (one process, plain transactions) and PostgreSQL (FOR UPDATE SKIP LOCKED) through the same code.
/// </summary>
public sealed class JobLeaseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly JobOptions Settings = new() { LeaseDuration = TimeSpan.FromSeconds(20), RenewInterval = TimeSpan.FromSeconds(5) };

    private static JobStore Store(TestDatabase database, TimeProvider time) => new(database.Factory, Options.Create(Settings), time);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_lease_is_exclusive_while_renewed_and_taken_over_only_after_it_expires(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var cts = new CancellationTokenSource(Timeout);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = Store(database, clock);
        Assert.Equal(1, await store.EnsureAsync(JobKinds.MirrorSync, ["7"], clock.GetUtcNow(), null, cts.Token));
        Assert.Equal(0, await store.EnsureAsync(JobKinds.MirrorSync, ["7"], clock.GetUtcNow(), null, cts.Token));

        var a = Assert.Single(await store.ClaimAsync(JobKinds.MirrorSync, "a#1", "a", 10, cts.Token));
        Assert.Null(a.TakenOverFrom);
        Assert.Equal(1, a.Attempts);
        Assert.Empty(await store.ClaimAsync(JobKinds.MirrorSync, "b#2", "b", 10, cts.Token));

        // Renewed every 5 s, the lease never runs out, however long the run takes.
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Empty(await store.RenewAsync([a.JobId], "a#1", cts.Token));
            Assert.Empty(await store.ClaimAsync(JobKinds.MirrorSync, "b#2", "b", 10, cts.Token));
        }

        // The holder dies: nothing renews. Just before the lease ends nobody may take it; just after, one replica does.
        clock.Advance(Settings.LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.ClaimAsync(JobKinds.MirrorSync, "b#2", "b", 10, cts.Token));
        clock.Advance(TimeSpan.FromSeconds(1));
        var b = Assert.Single(await store.ClaimAsync(JobKinds.MirrorSync, "b#2", "b", 10, cts.Token));
        Assert.Equal("a#1", b.TakenOverFrom);
        Assert.Equal(2, b.Attempts);
        Assert.Empty(await store.ClaimAsync(JobKinds.MirrorSync, "c#3", "c", 10, cts.Token));

        // The old holder (if it was only stalled) can neither renew nor complete any more.
        Assert.Equal([a.JobId], await store.RenewAsync([a.JobId], "a#1", cts.Token));
        var next = clock.GetUtcNow() + TimeSpan.FromHours(1);
        Assert.False(await store.CompleteAsync(a, new JobOutcome(next), cts.Token));
        Assert.True(await store.CompleteAsync(b, new JobOutcome(next), cts.Token));

        await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
        var job = await db.Jobs.AsNoTracking().SingleAsync(cts.Token);
        Assert.Null(job.LeaseHolder);
        Assert.Equal(1, job.Runs);
        Assert.Equal(0, job.Attempts);
        Assert.Equal(next, job.DueAt);
        var runs = await store.RunsAsync(JobKinds.MirrorSync, "7", cts.Token);
        Assert.Equal([("b#2", JobRunOutcome.Succeeded), ("a#1", JobRunOutcome.Abandoned)], runs.Select(r => (r.Holder, r.Outcome!.Value)));

        // Not due yet: nobody claims it until its next due time.
        Assert.Empty(await store.ClaimAsync(JobKinds.MirrorSync, "c#3", "c", 10, cts.Token));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Single(await store.ClaimAsync(JobKinds.MirrorSync, "c#3", "c", 10, cts.Token));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Scoped_jobs_go_to_their_replica_and_failures_keep_counting_attempts(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var cts = new CancellationTokenSource(Timeout);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = Store(database, clock);
        await store.EnsureAsync(JobKinds.SwarmFetch, ["a:u/r"], clock.GetUtcNow(), "a", cts.Token);
        Assert.Empty(await store.ClaimAsync(JobKinds.SwarmFetch, "b#2", "b", 10, cts.Token));
        var lease = Assert.Single(await store.ClaimAsync(JobKinds.SwarmFetch, "a#1", "a", 10, cts.Token));
        Assert.True(await store.CompleteAsync(lease, new JobOutcome(clock.GetUtcNow(), "no peer has it"), cts.Token));
        lease = Assert.Single(await store.ClaimAsync(JobKinds.SwarmFetch, "a#1", "a", 10, cts.Token));
        Assert.Equal(2, lease.Attempts);
        Assert.True(await store.CompleteAsync(lease, new JobOutcome(clock.GetUtcNow() + TimeSpan.FromMinutes(1)), cts.Token));
        var job = Assert.Single(await store.ListAsync(10, cts.Token));
        Assert.Equal((0, 2L, (string?)null), (job.Attempts, job.Runs, job.LastError));

        // "Sync now" makes a job due at once; removing jobs whose subject is gone keeps the others.
        await store.RequestNowAsync(JobKinds.SwarmFetch, "a:u/r", "a", cts.Token);
        Assert.Single(await store.ClaimAsync(JobKinds.SwarmFetch, "a#1", "a", 10, cts.Token));
        await store.EnsureAsync(JobKinds.ProfileCrawl, ["1", "2", "3"], clock.GetUtcNow(), null, cts.Token);
        Assert.Equal(1, await store.RemoveExceptAsync(JobKinds.ProfileCrawl, ["1", "2"], null, cts.Token));
        Assert.Equal(2, (await store.ClaimAsync(JobKinds.ProfileCrawl, "a#1", "a", 10, cts.Token)).Count);
    }

    [Fact]
    public async Task Replicas_claiming_at_once_on_postgres_never_take_the_same_job()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        using var cts = new CancellationTokenSource(Timeout);
        var store = Store(database, TimeProvider.System);
        var keys = Enumerable.Range(0, 300).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await store.EnsureAsync(JobKinds.ProfileCrawl, keys, DateTimeOffset.UtcNow, null, cts.Token);
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(replica => Task.Run(async () =>
        {
            var mine = new List<string>();
            while (true)
            {
                var batch = await store.ClaimAsync(JobKinds.ProfileCrawl, $"r{replica}#1", $"r{replica}", 7, cts.Token);
                if (batch.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(batch.Select(l => l.Key));
            }
        }, cts.Token))).WaitAsync(Timeout);
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(keys.Count, all.Count);
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.True(claims.Count(c => c.Count > 0) > 1, "only one claimer got work: the claims did not run side by side");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_runner_renews_while_the_handler_runs_and_cancels_it_when_the_lease_is_lost(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var cts = new CancellationTokenSource(Timeout);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = Store(database, clock);
        var runner = new JobRunner(store, Options.Create(new JobOptions
        {
            LeaseDuration = Settings.LeaseDuration, RenewInterval = Settings.RenewInterval, Replica = "a",
        }), clock, NullLogger<JobRunner>.Instance);
        await store.EnsureAsync(JobKinds.MirrorSync, ["1"], clock.GetUtcNow(), null, cts.Token);

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = runner.RunOneAsync(JobKinds.MirrorSync, async (lease, ct) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
                throw;
            }

            return new JobOutcome(clock.GetUtcNow());
        }, cts.Token);
        await started.Task.WaitAsync(Timeout);

        // Each renewal interval on the clock moves the lease forward.
        for (var i = 1; i <= 3; i++)
        {
            var expected = clock.GetUtcNow() + Settings.RenewInterval + Settings.LeaseDuration;
            clock.Advance(Settings.RenewInterval);
            await WaitUntilAsync(async () => (await JobAsync(database, cts.Token)).LeaseExpiresAt == expected, $"renewal {i}");
        }

        // Another replica takes the job (as after a stall past the lease): the next renewal finds it gone and the
        // handler is cancelled; the run's result is not recorded.
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            await db.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseHolder, "b#2"), cts.Token);
        }

        clock.Advance(Settings.RenewInterval);
        await cancelled.Task.WaitAsync(Timeout);
        Assert.True(await run.WaitAsync(Timeout));
        var job = await JobAsync(database, cts.Token);
        Assert.Equal(("b#2", 0L), (job.LeaseHolder, job.Runs));
        Assert.Equal(1, runner.Counters.Lost);
    }

    private static async Task<Job> JobAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        await using var db = await database.Factory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().SingleAsync(cancellationToken);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition().WaitAsync(Timeout))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
