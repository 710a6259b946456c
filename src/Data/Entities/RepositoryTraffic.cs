namespace GitTorrent.Data.Entities;

/// <summary>
/// Bytes moved for one repository since the portal first counted it, summed over all replicas: piece payload of its
/// packs uploaded to the swarm, smart-HTTP upload-pack response bytes, and pack bytes fetched from its origin.
/// </summary>
public sealed class RepositoryTraffic
{
    public required string UserId { get; set; }

    public required string Repository { get; set; }

    public long SwarmBytes { get; set; }

    public long HttpBytes { get; set; }

    public long OriginBytes { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
