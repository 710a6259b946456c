namespace GitTorrent.Data.Entities;

/// <summary>How a <see cref="JobRun"/> ended.</summary>
public enum JobRunOutcome
{
    /// <summary>The handler finished without error.</summary>
    Succeeded,

    /// <summary>The handler finished with an error (recorded; the job runs again when due).</summary>
    Failed,

    /// <summary>The holder's lease expired before it finished (it died or lost the database) and another process took over.</summary>
    Abandoned,
}
