namespace GitTorrent.Indexer.Node;

/// <summary>
/// The base URL under which this process serves <c>/packs/</c> (the portal's <c>GitTorrent__PublicUrl</c>): pack
/// torrents name <c>{base}/packs/{infohash}.pack</c> as their BEP 19 web seed. Asked each time a torrent is made, so a
/// default known only once the web server listens is taken up. A host without one (the indexer alone) makes torrents
/// without web seeds.
/// </summary>
public interface IPublicBaseUrl
{
    /// <summary>The base URL without a trailing slash, or null when none is known yet.</summary>
    string? Value { get; }
}
