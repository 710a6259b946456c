namespace GitTorrent.Engine;

public enum GitTorrentUrlKind
{
    /// <summary><c>gittorrent://github.com/cjb/recursers</c>: refs from the origin, objects from the swarm.</summary>
    Host,
    /// <summary><c>gittorrent://&lt;40 hex&gt;/recursers</c>: refs from the user's signed profile.</summary>
    Key,
    /// <summary><c>gittorrent://cjb/recursers</c>: a Bitcoin-registered username, resolved to a key.</summary>
    Name,
}
