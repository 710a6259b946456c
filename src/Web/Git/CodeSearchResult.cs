namespace GitTorrent.Web.Git;

/// <summary>
/// Lines matching a code search. <see cref="Stop"/> says whether the time or output budget stopped it (or it was
/// refused); <see cref="Truncated"/> that there were more than <see cref="GitQueries.MaxMatches"/> matches.
/// </summary>
public sealed record CodeSearchResult(IReadOnlyList<CodeMatch> Matches, GitWorkStop Stop, bool Truncated);
