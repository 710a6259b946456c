using GitTorrent.Engine.Issues;

namespace GitTorrent.Web.Issues;

/// <summary>
/// What a source branch changes in one issue, relative to the default branch: a new issue (<see cref="IsNew"/>), new
/// comment files, and a state it changed on its side since the branches split (<see cref="NewState"/>).
/// </summary>
public sealed record ProposedIssue(
    string Id,
    ProposalSource Source,
    IssueSummary Summary,
    bool IsNew,
    IReadOnlyList<IssueComment> NewComments,
    IssueState? NewState);
