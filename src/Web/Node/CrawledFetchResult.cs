namespace GitTorrent.Web.Node;

/// <summary>What fetching one crawled repository did.</summary>
/// <param name="Fetched">Every listed commit is in the repository.</param>
/// <param name="Error">Why not (the commit and what was tried).</param>
/// <param name="Packs">Packs imported from the swarm.</param>
/// <param name="RefErrors">Refs that could not be written, each with git's reason.</param>
public sealed record CrawledFetchResult(bool Fetched, string? Error, int Packs, IReadOnlyList<string> RefErrors)
{
    /// <summary>Fetched and every ref written.</summary>
    public bool Complete => Fetched && RefErrors.Count == 0;
}
