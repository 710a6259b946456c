namespace GitTorrent.Data.Jobs;

/// <summary>A job this process holds: what to do, and the run it is recording.</summary>
/// <param name="JobId">The <c>jobs</c> row.</param>
/// <param name="Kind">See <see cref="JobKinds"/>.</param>
/// <param name="Key">What the job is about (a mirror id, a user id).</param>
/// <param name="Holder">This process (<c>replica#pid</c>).</param>
/// <param name="RunId">The <c>job_runs</c> row of this claim.</param>
/// <param name="Attempts">Claims since the last success, this one included.</param>
/// <param name="TakenOverFrom">The holder whose lease had expired, when this claim took the job over.</param>
public sealed record JobLease(long JobId, string Kind, string Key, string Holder, long RunId, int Attempts, string? TakenOverFrom);
