using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Data.Jobs;

/// <summary>
/// Leases on background jobs (section <c>GitTorrent:Jobs</c>). A job whose holder dies is taken over at most
/// <see cref="LeaseDuration"/> after the holder's last renewal, so within <see cref="LeaseDuration"/> of its death.
/// Replicas compare lease times with their own clocks: keep them in step (NTP) to well under the lease.
/// </summary>
public sealed class JobOptions : IValidatableObject
{
    public const string SectionName = "GitTorrent:Jobs";

    /// <summary>How long a claim or a renewal holds a job (default 20 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often a running job's lease is renewed (default 5 s; must be well under the lease).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each kind of job is looked for when nothing woke the runner (default 2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long finished runs stay in <c>job_runs</c> (default 1 day).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RunHistory { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// This replica's name: its lease holder prefix and the scope of its own-store jobs (swarm fetches). Default:
    /// the host name and a hash of the data folder, so several replicas on one machine differ and a restart keeps it.
    /// </summary>
    [MaxLength(80)]
    public string? Replica { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RenewInterval * 2 > LeaseDuration)
        {
            yield return new ValidationResult(
                $"GitTorrent:Jobs:RenewInterval ({RenewInterval}) must be at most half of LeaseDuration ({LeaseDuration}), "
                + "or a slow renewal loses the lease.", [nameof(RenewInterval)]);
        }
    }
}
