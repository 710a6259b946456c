namespace GitTorrent.Indexer.Jobs;

/// <summary>Runs of one job kind in this process since start: how many, how many failed, and the seconds they took.</summary>
public sealed record JobKindStatistics(string Kind, long Runs, long Errors, double Seconds);
