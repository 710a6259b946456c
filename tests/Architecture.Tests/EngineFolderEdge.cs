namespace GitTorrent.Architecture.Tests;

/// <summary>Folder <paramref name="From"/> uses folder <paramref name="To"/>: <paramref name="Types"/> are the types that do.</summary>
internal sealed record EngineFolderEdge(string From, string To, IReadOnlyList<string> Types);
