using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Data.Jobs;

/// <summary>
/// The <c>jobs</c> table: claims due jobs under a lease, renews and completes them, creates them, and lists them for
/// <c>/admin</c>. On PostgreSQL a claim is one short transaction that locks the due rows it takes with
/// <c>SELECT ... FOR UPDATE SKIP LOCKED</c>, so replicas claiming at once never take the same row and never wait on
/// each other; on SQLite (one process) the same transaction is a plain write transaction. Every decision on a row is
/// <see cref="LeasePolicy"/>'s, with the time from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class JobStore(IDbContextFactory<GitTorrentDbContext> factory, IOptions<JobOptions> options, TimeProvider time)
{
    public LeasePolicy Policy { get; } = new(options.Value.LeaseDuration);

    /// <summary>Claims up to <paramref name="max"/> due jobs of <paramref name="kind"/> for <paramref name="holder"/>, oldest due first.</summary>
    public async Task<IReadOnlyList<JobLease>> ClaimAsync(string kind, string holder, string replica, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var candidates = db.Provider == DatabaseProvider.Postgres
            ? await db.Jobs.FromSqlInterpolated($"""
                SELECT * FROM jobs
                WHERE "Kind" = {kind} AND "DueAt" <= {now}
                  AND ("Replica" IS NULL OR "Replica" = {replica})
                  AND ("LeaseHolder" IS NULL OR "LeaseExpiresAt" <= {now})
                ORDER BY "DueAt" LIMIT {max}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken)
            : await db.Jobs
                .Where(j => j.Kind == kind && j.DueAt <= now && (j.Replica == null || j.Replica == replica)
                    && (j.LeaseHolder == null || j.LeaseExpiresAt <= now))
                .OrderBy(j => j.DueAt).Take(max).ToListAsync(cancellationToken);

        var claimed = new List<(Job Job, JobRun Run, string? From)>();
        foreach (var job in candidates.Where(j => LeasePolicy.IsClaimable(j, replica, now)))
        {
            var from = Policy.Claim(job, holder, now);
            if (from is not null)
            {
                // The previous holder's run never finished: close it, so the history shows it was lost, not done twice.
                await db.JobRuns.Where(r => r.JobId == job.Id && r.FinishedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.FinishedAt, now)
                        .SetProperty(r => r.Outcome, JobRunOutcome.Abandoned)
                        .SetProperty(r => r.Error, "lease expired; taken over by " + holder), cancellationToken);
            }

            var run = new JobRun { JobId = job.Id, Kind = job.Kind, Key = job.Key, Holder = holder, StartedAt = now };
            db.JobRuns.Add(run);
            claimed.Add((job, run, from));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. claimed.Select(c => new JobLease(c.Job.Id, c.Job.Kind, c.Job.Key, holder, c.Run.Id, c.Job.Attempts, c.From))];
    }

    /// <summary>Extends the leases <paramref name="holder"/> still has; returns the ids it no longer holds (taken over).</summary>
    public async Task<IReadOnlyList<long>> RenewAsync(IReadOnlyCollection<long> jobIds, string holder, CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0)
        {
            return [];
        }

        var until = Policy.RenewedUntil(time.GetUtcNow());
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var renewed = await db.Jobs.Where(j => jobIds.Contains(j.Id) && j.LeaseHolder == holder)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, until), cancellationToken);
        if (renewed == jobIds.Count)
        {
            return [];
        }

        var held = await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id) && j.LeaseHolder == holder)
            .Select(j => j.Id).ToListAsync(cancellationToken);
        return [.. jobIds.Except(held)];
    }

    /// <summary>
    /// Records the outcome and releases the job, if <paramref name="lease"/>'s holder still holds it; false when another
    /// process took it over meanwhile (then nothing is written: the taker's run is the one that counts).
    /// </summary>
    public async Task<bool> CompleteAsync(JobLease lease, JobOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == lease.JobId, cancellationToken);
        if (job is null || !LeasePolicy.IsHeldBy(job, lease.Holder))
        {
            return false;
        }

        LeasePolicy.Complete(job, outcome, now);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Conditional on the holder, so a takeover between the read and this write wins.
        var released = await db.Jobs.Where(j => j.Id == lease.JobId && j.LeaseHolder == lease.Holder)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseHolder, (string?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(j => j.DueAt, job.DueAt)
                .SetProperty(j => j.LastFinishedAt, job.LastFinishedAt)
                .SetProperty(j => j.LastError, job.LastError)
                .SetProperty(j => j.Attempts, job.Attempts)
                .SetProperty(j => j.Runs, j => j.Runs + 1), cancellationToken);
        if (released == 0)
        {
            return false;
        }

        await db.JobRuns.Where(r => r.Id == lease.RunId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.Outcome, outcome.Succeeded ? JobRunOutcome.Succeeded : JobRunOutcome.Failed)
                .SetProperty(r => r.Error, job.LastError), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Creates the jobs of <paramref name="kind"/> that do not exist yet, due at <paramref name="due"/>; returns how many.</summary>
    public async Task<int> EnsureAsync(string kind, IReadOnlyCollection<string> keys, DateTimeOffset due, string? replica, CancellationToken cancellationToken)
    {
        var created = 0;
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            for (var attempt = 0; ; attempt++)
            {
                await using var db = await factory.CreateDbContextAsync(cancellationToken);
                var existing = await db.Jobs.AsNoTracking().Where(j => j.Kind == kind && chunk.Contains(j.Key))
                    .Select(j => j.Key).ToListAsync(cancellationToken);
                var missing = chunk.Except(existing, StringComparer.Ordinal).ToList();
                db.Jobs.AddRange(missing.Select(key => new Job { Kind = kind, Key = key, DueAt = due, Replica = replica }));
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    created += missing.Count;
                    break;
                }
                catch (DbUpdateException) when (attempt < 3)
                {
                    // Another replica created some of them at the same moment (unique kind+key): read again.
                }
            }
        }

        return created;
    }

    /// <summary>Makes a job due now (creating it if needed), e.g. "sync now"; a running job keeps its lease.</summary>
    public async Task RequestNowAsync(string kind, string key, string? replica, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await EnsureAsync(kind, [key], now, replica, cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Jobs.Where(j => j.Kind == kind && j.Key == key && j.DueAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.DueAt, now), cancellationToken);
    }

    /// <summary>Deletes jobs of <paramref name="kind"/> whose keys are not in <paramref name="keep"/> (their subject is gone).</summary>
    public async Task<int> RemoveExceptAsync(string kind, IReadOnlyCollection<string> keep, string? replica, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.Where(j => j.Kind == kind && j.Replica == replica && !keep.Contains(j.Key))
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Jobs for the admin page: running ones first, then failing ones, then by due time.</summary>
    public async Task<IReadOnlyList<Job>> ListAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking()
            .OrderByDescending(j => j.LeaseHolder != null).ThenByDescending(j => j.LastError != null).ThenBy(j => j.DueAt)
            .Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Counts per kind: all, running, failing.</summary>
    public async Task<IReadOnlyList<(string Kind, int Total, int Running, int Failing)>> CountAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Jobs.AsNoTracking().GroupBy(j => j.Kind)
            .Select(g => new { g.Key, Total = g.Count(), Running = g.Count(j => j.LeaseHolder != null), Failing = g.Count(j => j.LastError != null) })
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, r.Total, r.Running, r.Failing))];
    }

    /// <summary>Runs of one job, newest first (the acceptance tests read overlaps and takeovers from these).</summary>
    public async Task<IReadOnlyList<JobRun>> RunsAsync(string kind, string key, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.JobRuns.AsNoTracking().Where(r => r.Kind == kind && r.Key == key)
            .OrderByDescending(r => r.StartedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Deletes finished runs older than <see cref="JobOptions.RunHistory"/>.</summary>
    public async Task<int> PruneRunsAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - options.Value.RunHistory;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.JobRuns.Where(r => r.FinishedAt != null && r.FinishedAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}
