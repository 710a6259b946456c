namespace GitTorrent.Web.Git;

/// <summary>Lines matching a code search; <see cref="Complete"/> is false when the time or output budget stopped it.</summary>
public sealed record CodeSearchResult(IReadOnlyList<CodeMatch> Matches, bool Complete);
