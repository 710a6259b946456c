namespace GitTorrent.Engine.Issues;

/// <summary>The commit an issue command made, or the one-line reason it made none.</summary>
public sealed record IssueCommitResult(Hash20? Commit, string? Error)
{
    public static IssueCommitResult Refused(string error) => new(null, error);
}
