using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

/// <summary>A BEP 19 web seed as the picker sees it: a peer with every piece, reached over HTTP range requests.</summary>
internal sealed class WebSeed(Uri uri)
{
    public Uri Uri { get; } = uri;

    public HashSet<BlockRequest> Outstanding { get; } = [];

    public int Failures { get; set; }

    public int BadPieces { get; set; }

    public override string ToString() => Uri.ToString();

    /// <summary>BEP 19: a URL ending in '/' names a directory the torrent's file is in; otherwise it is the file.</summary>
    public static Uri ForFile(string url, string name) =>
        new(url.EndsWith('/') ? url + Uri.EscapeDataString(name) : url);
}
