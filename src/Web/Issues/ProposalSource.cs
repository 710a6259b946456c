namespace GitTorrent.Web.Issues;

/// <summary>
/// A branch that may propose issue changes: another branch of the same repository, or a branch of a fork (another
/// user's repository in the store sharing the default branch's root commit).
/// </summary>
public sealed record ProposalSource(string OwnerId, string RepositoryName, string RepositoryPath, string Branch, string CommitId, bool IsFork);
