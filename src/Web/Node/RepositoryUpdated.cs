namespace GitTorrent.Web.Node;

/// <summary>A repository in the store changed (mirror synced, fetch finished).</summary>
/// <param name="UserId">Owner's 40-hex user id (the portal's own id for mirrors).</param>
/// <param name="Name">Repository name.</param>
/// <param name="Path">The bare repository on disk.</param>
/// <param name="Refs">Full ref name (and HEAD) to 40-hex commit id after the change.</param>
public sealed record RepositoryUpdated(string UserId, string Name, string Path, IReadOnlyDictionary<string, string> Refs);
