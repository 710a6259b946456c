namespace GitTorrent.Indexer.Discovery;

/// <summary>Counts per <see cref="DiscoverySource"/> and <see cref="DiscoveryOutcome"/> since start (read by <c>/metrics</c>).</summary>
public sealed class DiscoveryStatistics
{
    private readonly long[] _counts = new long[Enum.GetValues<DiscoverySource>().Length * Enum.GetValues<DiscoveryOutcome>().Length];

    public void Add(DiscoverySource source, DiscoveryOutcome outcome, long count = 1)
    {
        if (count != 0)
        {
            Interlocked.Add(ref _counts[Index(source, outcome)], count);
        }
    }

    public long Get(DiscoverySource source, DiscoveryOutcome outcome) => Interlocked.Read(ref _counts[Index(source, outcome)]);

    /// <summary>Every counter, for <c>/metrics</c>.</summary>
    public IEnumerable<(DiscoverySource Source, DiscoveryOutcome Outcome, long Count)> All() =>
        from source in Enum.GetValues<DiscoverySource>()
        from outcome in Enum.GetValues<DiscoveryOutcome>()
        select (source, outcome, Get(source, outcome));

    private static int Index(DiscoverySource source, DiscoveryOutcome outcome) =>
        ((int)source * Enum.GetValues<DiscoveryOutcome>().Length) + (int)outcome;
}
