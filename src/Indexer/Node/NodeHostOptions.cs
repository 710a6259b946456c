using System.ComponentModel.DataAnnotations;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Indexer.Node;

/// <summary>
/// The process's GitTorrent node (section <c>GitTorrent</c>, the same keys as the CLI's environment:
/// <c>GitTorrent__Bootstrap</c>, <c>GitTorrent__DhtPort</c>, <c>GitTorrent__BtPort</c>, <c>GitTorrent__Bind</c>).
/// </summary>
public sealed class NodeHostOptions : IValidatableObject
{
    public const string SectionName = "GitTorrent";

    /// <summary>Public mainline routers, used when <see cref="Bootstrap"/> is not configured at all.</summary>
    public static readonly string[] PublicRouters =
        ["router.bittorrent.com:6881", "router.utorrent.com:6881", "dht.transmissionbt.com:6881", "dht.libtorrent.org:25401"];

    /// <summary>Comma-separated host:port list; absent = the public routers, empty = none.</summary>
    public string? Bootstrap { get; set; }

    [Range(0, 65535)]
    public int DhtPort { get; set; } = 6881;

    [Range(0, 65535)]
    public int BtPort { get; set; } = 30000;

    public string Bind { get; set; } = "0.0.0.0";

    /// <summary>Where the node keeps <c>dht/</c> and <c>packs/</c>; the hosts set it below their data folder.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Maximum size of the pack cache: packs, builds under way and request files together. Default 4 GiB.</summary>
    public long PackCacheBytes { get; set; } = GitTorrentNodeOptions.DefaultPackCacheBytes;

    /// <summary>The largest pack the node downloads from the swarm (<c>GitTorrent__MaxPackBytes</c>); default 8 GiB.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxPackBytes { get; set; } = 8L << 30;

    /// <summary>
    /// Keep seeding downloaded packs from their own copy; default false: these hosts serve the repositories they
    /// import from the store, so the downloaded copy is deleted after the import.
    /// </summary>
    public bool SeedDownloadedPacks { get; set; }

    /// <summary>The node's bounds against strangers (<c>GitTorrent__Limits__MaxInboundConnections</c> and so on; README).</summary>
    public NodeLimits Limits { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Limits.Problems().Select(p => new ValidationResult("Limits." + p, [nameof(Limits)]));
    /// <summary>
    /// Limits of the DHT node (section <c>GitTorrent:Dht</c>, e.g. <c>GitTorrent__Dht__MaxItemsPerAddress</c>;
    /// README lists them). Address, port and bootstrap come from the keys above.
    /// </summary>
    public DhtOptions Dht { get; set; } = new();

    public IList<string> BootstrapList() => Bootstrap is null
        ? [.. PublicRouters]
        : [.. Bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
