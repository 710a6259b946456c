namespace GitTorrent.Web.Git;

/// <summary>A branch or tag of a repository in the store.</summary>
public sealed record GitRefView(string ShortName, string FullName, string CommitId, bool IsTag);

/// <summary>What a URL's ref segment resolved to, and the path segments after it.</summary>
public sealed record ResolvedRef(string Name, string CommitId, IReadOnlyList<string> Path);

public enum TreeEntryKind
{
    Directory,
    File,
    Symlink,
    Submodule,
}

/// <summary>One row of a tree listing.</summary>
public sealed record TreeEntryView(string Name, string Path, TreeEntryKind Kind, long Size);

/// <summary>A file to show: either highlighted HTML (already encoded) or a reason not to render it.</summary>
public sealed record BlobView(string Path, string BlobId, long Size, bool IsBinary, bool TooLarge, string? Html, int LineCount);

public sealed record CommitSummary(string Id, string Subject, string AuthorName, string AuthorEmail, DateTimeOffset When);

public sealed record CommitDetail(CommitSummary Summary, string Message, IReadOnlyList<string> Parents, IReadOnlyList<FileDiff> Files, bool Truncated);

/// <summary>One file of a commit's diff; <see cref="Lines"/> is bounded.</summary>
public sealed record FileDiff(string Path, string? OldPath, string Status, int Added, int Deleted, bool IsBinary, IReadOnlyList<DiffLine> Lines, bool Truncated);

/// <summary>A unified-diff line: '+', '-', ' ' or '@' (hunk header).</summary>
public sealed record DiffLine(char Kind, string Text);

/// <summary>One page of a commit log.</summary>
public sealed record CommitPage(IReadOnlyList<CommitSummary> Commits, bool HasMore);
