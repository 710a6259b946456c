using System.Diagnostics;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using GitTorrent.Bench.Indexer;


namespace GitTorrent.Bench.Replicas;

/// <summary>
/// The lease machinery alone: N due jobs with a handler that does nothing, claimed in batches by 1 and by 3 runners
/// (replicas) on PostgreSQL at once, interleaved. Reports jobs per second, database commands and CPU per job, and checks
/// that every job ran exactly once.
/// </summary>
internal static class JobsBenchmark
{
    public static async Task<int> RunAsync(string server, int jobs, int batch)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = cts.Token;
        await using var database = await BenchDatabase.CreateAsync(server, ct);
        using var counter = new CommandCounter();
        Console.WriteLine($"| runners | jobs | batch | wall s | jobs/s | DB commands/job | CPU ms/job | ran once |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var round = 0;
        foreach (var replicas in new[] { 1, 3, 3, 1 })
        {
            var kind = $"bench-{round++}";
            var options = Options.Create(new JobOptions());
            var store = new JobStore(database.Factory, options, TimeProvider.System);
            await store.EnsureAsync(kind, [.. Enumerable.Range(0, jobs).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                DateTimeOffset.UtcNow, null, ct);
            var runners = Enumerable.Range(0, replicas).Select(i => new JobRunner(store,
                Options.Create(new JobOptions { Replica = $"bench{i}" }), TimeProvider.System, NullLogger<JobRunner>.Instance)).ToList();
            var commands = counter.Count;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(runners.Select(runner => Task.Run(async () =>
            {
                while (await runner.RunDueAsync(kind, batch, (leases, _) => Task.FromResult<IReadOnlyDictionary<long, JobOutcome>>(
                    leases.ToDictionary(l => l.JobId, _ => new JobOutcome(DateTimeOffset.MaxValue))), ct) > 0)
                {
                }
            }, ct)));
            clock.Stop();
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            commands = counter.Count - commands;
            await using var db = await database.Factory.CreateDbContextAsync(ct);
            var runs = await db.JobRuns.CountAsync(r => r.Kind == kind, ct);
            var total = await db.Jobs.Where(j => j.Kind == kind).SumAsync(j => j.Runs, ct);
            var once = runs == jobs && total == jobs;
            Console.WriteLine($"| {replicas} | {jobs} | {batch} | {clock.Elapsed.TotalSeconds:F1} | {jobs / clock.Elapsed.TotalSeconds:F0} | "
                + $"{(double)commands / jobs:F2} | {cpuMs / jobs:F2} | {(once ? "yes" : $"NO: {runs} runs, {total} counted")} |");
            if (!once)
            {
                return 1;
            }
        }

        return 0;
    }
}
