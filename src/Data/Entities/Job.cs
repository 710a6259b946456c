namespace GitTorrent.Data.Entities;

/// <summary>
/// One unit of background work shared by the portal replicas (a mirror sync, a profile crawl, a swarm fetch, the
/// chain follower step, an origin check): claimed by one process at a time through a lease, renewed while it runs and
/// taken over by another process once the lease has expired. One row per (kind, key); each run is also recorded in
/// <see cref="JobRun"/>.
/// </summary>
public sealed class Job
{
    public long Id { get; set; }

    /// <summary>What to do: one of the kinds in <c>GitTorrent.Data.Jobs.JobKinds</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>What to do it to, unique within the kind (a mirror id, a user id, <c>main</c>).</summary>
    public required string Key { get; set; }

    /// <summary>The replica that must run it (work on its own store), or null for any replica.</summary>
    public string? Replica { get; set; }

    /// <summary>When it should run next.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>The process holding the lease (<c>replica#pid</c>), or null when nobody runs it.</summary>
    public string? LeaseHolder { get; set; }

    /// <summary>When the holder's lease ends unless renewed; after it another process may take the job over.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Claims since the last success (0 after a successful run): drives backoff, shows stuck jobs.</summary>
    public int Attempts { get; set; }

    /// <summary>The error of the last finished run, null when it succeeded.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? LastStartedAt { get; set; }

    public DateTimeOffset? LastFinishedAt { get; set; }

    /// <summary>Runs finished (successfully or not) since the job was created.</summary>
    public long Runs { get; set; }
}
