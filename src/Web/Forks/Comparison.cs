using GitTorrent.Web.Git;

namespace GitTorrent.Web.Forks;

/// <summary>
/// A compare page: base and head (the head possibly in another user's fork), the commits of head not in base (newest
/// first, bounded), the diff from their merge base to head (bounded like a commit diff), whether head merges cleanly,
/// and the command that fetches head.
/// </summary>
public sealed record Comparison(
    string BaseName,
    string BaseCommit,
    string HeadName,
    string HeadCommit,
    string HeadOwnerId,
    string HeadRepository,
    bool HeadIsFork,
    string? MergeBase,
    IReadOnlyList<CommitSummary> Commits,
    bool MoreCommits,
    IReadOnlyList<FileDiff> Files,
    bool Truncated,
    MergeCheck Merge)
{
    public string FetchCommand => $"git fetch gittorrent://{HeadOwnerId}/{HeadRepository} {HeadName}";
}
