namespace GitTorrent.Web.Traffic;

/// <summary>One repository's totals on the swarm page.</summary>
public sealed record RepositoryTrafficRow(string UserId, string Repository, TrafficCounts Counts);
