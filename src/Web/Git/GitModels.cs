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

/// <summary>One row of a tree listing; <see cref="Size"/> comes from the object header (blobs are never loaded to list them).</summary>
public sealed record TreeEntryView(string Name, string Path, TreeEntryKind Kind, long Size, string ObjectId);

/// <summary>How a file page shows a blob.</summary>
public enum BlobDisplay
{
    /// <summary>Highlighted source in <see cref="BlobView.Html"/>.</summary>
    Text,

    /// <summary>Larger than <see cref="BrowseOptions.MaxRenderBytes"/>: only its size and a raw link.</summary>
    TooLarge,

    /// <summary>Binary and not an image.</summary>
    Binary,

    /// <summary>An image (png, jpg, gif, webp, svg) shown from <c>/raw</c>.</summary>
    Image,
}

/// <summary>
/// A file to show. <see cref="Html"/> is highlighted source (already encoded); <see cref="MarkdownText"/> holds a
/// Markdown file's text for rendering beside it; <see cref="Encoding"/> names the encoding used when not UTF-8.
/// </summary>
public sealed record BlobView(string Path, string BlobId, long Size, BlobDisplay Display, string? Html, int LineCount,
    string? MarkdownText = null, string? Encoding = null)
{
    public bool TooLarge => Display == BlobDisplay.TooLarge;

    public bool IsBinary => Display == BlobDisplay.Binary;
}

public sealed record CommitSummary(string Id, string Subject, string AuthorName, string AuthorEmail, DateTimeOffset When);

public sealed record CommitDetail(CommitSummary Summary, string Message, IReadOnlyList<string> Parents, IReadOnlyList<FileDiff> Files, bool Truncated);

/// <summary>
/// One file of a commit's diff; <see cref="Lines"/> is bounded. <see cref="TooLarge"/>: a side is larger than
/// <see cref="BrowseOptions.MaxDiffBlobBytes"/> (sizes from headers, nothing loaded); <see cref="Skipped"/>: the
/// commit's diff budget was spent before this file.
/// </summary>
public sealed record FileDiff(string Path, string? OldPath, string Status, int Added, int Deleted, bool IsBinary,
    IReadOnlyList<DiffLine> Lines, bool Truncated, bool TooLarge = false, bool Skipped = false, long OldSize = 0, long NewSize = 0);

/// <summary>A unified-diff line: '+', '-', ' ' or '@' (hunk header).</summary>
public sealed record DiffLine(char Kind, string Text);

/// <summary>One page of a commit log.</summary>
public sealed record CommitPage(IReadOnlyList<CommitSummary> Commits, bool HasMore);
