namespace GitTorrent.Web.Git;

/// <summary>
/// The last commit that changed each entry of a directory (GitHub's tree columns) and the latest of them.
/// <see cref="Complete"/> is false when the walk ran out of time before every entry was found.
/// </summary>
public sealed record LastCommits(IReadOnlyDictionary<string, CommitSummary> ByName, CommitSummary? Latest, bool Complete);
