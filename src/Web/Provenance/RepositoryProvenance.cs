using GitTorrent.Data.Entities;
using GitTorrent.Web.Traffic;

namespace GitTorrent.Web.Provenance;

/// <summary>What the portal knows about where a repository comes from and how it is served (panel and <c>/api/repos</c>).</summary>
/// <param name="Origin">The origin URL (a mirror's), or null when the repository has none.</param>
/// <param name="Check">The last origin comparison, or null when none has run yet.</param>
/// <param name="Seeders">Peers the DHT returned for the repository's tip at the last count, or null when not counted.</param>
/// <param name="SeedersCheckedAt">When they were counted.</param>
/// <param name="Traffic">Bytes served and fetched, totals over all replicas.</param>
public sealed record RepositoryProvenance(string? Origin, OriginCheck? Check, int? Seeders, DateTimeOffset? SeedersCheckedAt, TrafficCounts Traffic)
{
    /// <summary>True = agrees, false = differs or unreachable, null = not checked (or no origin).</summary>
    public bool? OriginAgrees => Check?.State switch
    {
        OriginCheckState.Agrees => true,
        null => null,
        _ => false,
    };

    /// <summary>The differing ref names (empty unless the last check found differences).</summary>
    public IReadOnlyList<string> OriginDiffers =>
        Check is { State: OriginCheckState.Differs, DifferingRefs: { } refs } ? refs.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
}
