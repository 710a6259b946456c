using System.Text;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine.Git;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Mirrors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Provenance;

/// <summary>
/// Provenance of mirrors: each mirror is a <see cref="JobKinds.OriginCheck"/> job (key = the mirror's id) that whichever
/// replica claims it runs under a lease every <see cref="PortalOptions.OriginCheckInterval"/> (and right after a sync):
/// <c>git ls-remote</c> of the origin (http(s) only, bounded in time and bytes) against the refs the portal publishes for
/// the mirror, the outcome (agrees, differs with the refs, unreachable with the error) written to <c>origin_checks</c>.
/// </summary>
public sealed partial class OriginCheckService(
    IDbContextFactory<GitTorrentDbContext> factory,
    PortalIdentity identity,
    JobRunner jobs,
    IOptions<PortalOptions> options,
    TimeProvider time,
    ILogger<OriginCheckService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        jobs.RunPlannedAsync(JobKinds.OriginCheck, PlanAsync, CheckAsync,
            TimeSpan.FromTicks(Math.Min(options.Value.OriginCheckInterval.Ticks, options.Value.MirrorPollInterval.Ticks)), LogScheduleFailed, stoppingToken);

    private async Task PlanAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var keys = (await db.Mirrors.AsNoTracking().Select(m => m.Id).ToListAsync(cancellationToken)).Select(MirrorSyncService.Key).ToList();
        var planned = await db.Jobs.AsNoTracking().Where(j => j.Kind == JobKinds.OriginCheck).Select(j => j.Key).ToListAsync(cancellationToken);
        var missing = keys.Except(planned, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            await jobs.Store.EnsureAsync(JobKinds.OriginCheck, missing, time.GetUtcNow(), null, cancellationToken);
        }

        if (planned.Except(keys, StringComparer.Ordinal).Any())
        {
            await jobs.Store.RemoveExceptAsync(JobKinds.OriginCheck, keys, null, cancellationToken);
        }
    }

    /// <summary>The job handler: one comparison, due again one interval later whatever it found.</summary>
    private async Task<JobOutcome> CheckAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var next = time.GetUtcNow() + options.Value.OriginCheckInterval;
        if (!long.TryParse(lease.Key, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return new JobOutcome(DateTimeOffset.MaxValue, "not a mirror id");
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var mirror = await db.Mirrors.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (mirror is null)
        {
            return new JobOutcome(DateTimeOffset.MaxValue, "no such mirror");
        }

        var served = await db.Refs.AsNoTracking()
            .Where(r => r.Repository!.UserId == identity.UserId && r.Repository.Name == mirror.Name)
            .ToDictionaryAsync(r => r.Name, r => r.Target, StringComparer.Ordinal, cancellationToken);
        var check = await CompareAsync(identity.UserId, mirror.Name, mirror.OriginUrl, served, cancellationToken);
        var row = await db.OriginChecks.SingleOrDefaultAsync(c => c.UserId == check.UserId && c.Repository == check.Repository, cancellationToken);
        if (row is null)
        {
            db.OriginChecks.Add(check);
        }
        else
        {
            row.OriginUrl = check.OriginUrl;
            row.State = check.State;
            row.DifferingRefs = check.DifferingRefs;
            row.Error = check.Error;
            row.CheckedAt = check.CheckedAt;
        }

        await db.SaveChangesAsync(cancellationToken);
        LogChecked(mirror.Name, check.State, check.DifferingRefs ?? check.Error ?? "");
        // An unreachable origin is a finding, not a failed job: the next check comes one interval later either way.
        return new JobOutcome(next, null);
    }

    /// <summary>Asks the origin for its refs and compares them with <paramref name="served"/>.</summary>
    public async Task<OriginCheck> CompareAsync(string userId, string repository, string originUrl,
        IReadOnlyDictionary<string, string> served, CancellationToken cancellationToken)
    {
        var check = new OriginCheck { UserId = userId, Repository = repository, OriginUrl = originUrl, CheckedAt = time.GetUtcNow() };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.OriginCheckTimeout);
        using var output = new CappedBuffer(options.Value.OriginCheckMaxBytes);
        try
        {
            await GitRunner.RunToStreamAsync(Path.GetTempPath(), [.. MirrorService.SafeTransport, "ls-remote", "--refs", "--", originUrl], output, timeout.Token,
                environment: new Dictionary<string, string> { ["GIT_TERMINAL_PROMPT"] = "0" });
        }
        catch (GitCommandException e)
        {
            return Unreachable(check, e.StandardError.Trim() is { Length: > 0 } reason ? reason : e.Message);
        }
        catch (IOException e)
        {
            return Unreachable(check, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unreachable(check, $"no answer within {options.Value.OriginCheckTimeout}");
        }

        check.CheckedAt = time.GetUtcNow();
        var differences = OriginComparison.Differences(OriginComparison.ParseLsRemote(Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length)), served);
        check.State = differences.Count == 0 ? OriginCheckState.Agrees : OriginCheckState.Differs;
        check.DifferingRefs = differences.Count == 0 ? null : JoinWithin(differences, DataLimits.MaxOriginDifferences);
        return check;
    }

    private OriginCheck Unreachable(OriginCheck check, string error)
    {
        check.CheckedAt = time.GetUtcNow();
        check.State = OriginCheckState.Unreachable;
        check.Error = error.Length <= DataLimits.MaxJobError ? error : error[..DataLimits.MaxJobError];
        return check;
    }

    /// <summary>The names one per line, as many whole names as fit in <paramref name="limit"/> characters.</summary>
    private static string JoinWithin(IReadOnlyList<string> names, int limit)
    {
        var text = new StringBuilder();
        foreach (var name in names)
        {
            if (text.Length + name.Length + 1 > limit)
            {
                break;
            }
            text.Append(text.Length == 0 ? "" : "\n").Append(name);
        }
        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Origin of {Name}: {State} {Detail}")]
    private partial void LogChecked(string name, OriginCheckState state, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Origin check schedule failed")]
    private partial void LogScheduleFailed(Exception exception);
}
