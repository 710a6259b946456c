namespace GitTorrent.Data.Entities;

/// <summary>
/// One claim of a <see cref="Job"/>: who ran it, from when to when, and how it ended. A run whose holder died is
/// closed as <see cref="JobRunOutcome.Abandoned"/> by the process that takes the job over. Kept for
/// <c>GitTorrent:Jobs:RunHistory</c>.
/// </summary>
public sealed class JobRun
{
    public long Id { get; set; }

    public long JobId { get; set; }

    public required string Kind { get; set; }

    public required string Key { get; set; }

    public required string Holder { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Null while it runs.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    public JobRunOutcome? Outcome { get; set; }

    public string? Error { get; set; }
}
