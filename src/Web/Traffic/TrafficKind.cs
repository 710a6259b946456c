namespace GitTorrent.Web.Traffic;

/// <summary>Which way bytes of a repository moved.</summary>
public enum TrafficKind
{
    /// <summary>Piece payload of the repository's pack torrents uploaded to BitTorrent peers.</summary>
    Swarm,

    /// <summary>Smart-HTTP upload-pack response bytes (the ref advertisement and the pack stream).</summary>
    Http,

    /// <summary>Pack bytes the portal fetched from the repository's origin (mirror syncs).</summary>
    Origin,
}
