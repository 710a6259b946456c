using GitTorrent.Data.Entities;

namespace GitTorrent.Data.Jobs;

/// <summary>
/// The lease rules, as pure decisions on a <see cref="Job"/> row and a time (no I/O, so they are tested with a fake
/// clock): a job is claimable when due and nobody holds an unexpired lease; a claim or a renewal holds it for
/// <see cref="LeaseDuration"/>; only the holder renews or completes; a claim of an expired lease is a takeover.
/// <see cref="JobStore"/> applies them inside the claiming transaction.
/// </summary>
public sealed class LeasePolicy(TimeSpan leaseDuration)
{
    public TimeSpan LeaseDuration { get; } = leaseDuration;

    /// <summary>Due, in this replica's scope, and not held by anyone whose lease is still running.</summary>
    public static bool IsClaimable(Job job, string replica, DateTimeOffset now) =>
        job.DueAt <= now
        && (job.Replica is null || job.Replica == replica)
        && (job.LeaseHolder is null || job.LeaseExpiresAt <= now);

    /// <summary>True when claiming now takes the job from a holder whose lease ran out (it died or lost the database).</summary>
    public static bool IsTakeover(Job job, DateTimeOffset now) => job.LeaseHolder is not null && job.LeaseExpiresAt <= now;

    /// <summary>Takes the job for <paramref name="holder"/>; returns the previous holder when it was a takeover.</summary>
    public string? Claim(Job job, string holder, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        var previous = IsTakeover(job, now) ? job.LeaseHolder : null;
        job.LeaseHolder = holder;
        job.LeaseExpiresAt = now + LeaseDuration;
        job.Attempts++;
        job.LastStartedAt = now;
        return previous;
    }

    /// <summary>Whether <paramref name="holder"/> still holds the job (nobody took it over), so it may renew or complete.</summary>
    public static bool IsHeldBy(Job job, string holder) => job.LeaseHolder == holder;

    /// <summary>The new expiry of a renewal made at <paramref name="now"/>.</summary>
    public DateTimeOffset RenewedUntil(DateTimeOffset now) => now + LeaseDuration;

    /// <summary>Releases the job with its outcome: due again at <see cref="JobOutcome.NextDue"/>; attempts reset on success.</summary>
    public static void Complete(Job job, JobOutcome outcome, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        job.LeaseHolder = null;
        job.LeaseExpiresAt = null;
        job.DueAt = outcome.NextDue;
        job.LastFinishedAt = now;
        job.LastError = outcome.Error is { Length: > DataLimits.MaxJobError } e ? e[..DataLimits.MaxJobError] : outcome.Error;
        job.Runs++;
        if (outcome.Succeeded)
        {
            job.Attempts = 0;
        }
    }
}
