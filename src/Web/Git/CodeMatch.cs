namespace GitTorrent.Web.Git;

/// <summary>One line <c>git grep</c> found.</summary>
public sealed record CodeMatch(string Path, int Line, string Text);
