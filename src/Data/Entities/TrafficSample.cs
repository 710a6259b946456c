namespace GitTorrent.Data.Entities;

/// <summary>The bytes one replica counted for one repository during one sample period (the swarm page's chart).</summary>
public sealed class TrafficSample
{
    public long Id { get; set; }

    /// <summary>The end of the period.</summary>
    public DateTimeOffset At { get; set; }

    public required string UserId { get; set; }

    public required string Repository { get; set; }

    public long SwarmBytes { get; set; }

    public long HttpBytes { get; set; }

    public long OriginBytes { get; set; }
}
