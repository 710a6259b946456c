namespace GitTorrent.Web.Traffic;

/// <summary>Bytes of one repository, by the way they moved.</summary>
public sealed record TrafficCounts(long Swarm, long Http, long Origin)
{
    public static TrafficCounts Zero { get; } = new(0, 0, 0);

    public long Served => Swarm + Http;
}
