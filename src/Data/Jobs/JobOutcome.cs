namespace GitTorrent.Data.Jobs;

/// <summary>How one run of a job ended: when the job is due again, and the error if it failed.</summary>
public readonly record struct JobOutcome(DateTimeOffset NextDue, string? Error = null)
{
    public bool Succeeded => Error is null;
}
