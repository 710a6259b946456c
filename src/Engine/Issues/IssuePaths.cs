namespace GitTorrent.Engine.Issues;

/// <summary>Where issues live in a repository's tree (docs/PROTOCOL.md section 6).</summary>
public static class IssuePaths
{
    /// <summary>The folder of all issues, at the root of the tree.</summary>
    public const string Root = ".issues";

    /// <summary>The issue's own file inside <c>.issues/&lt;id&gt;/</c>.</summary>
    public const string IssueFile = "issue.md";

    /// <summary>The folder of comment files inside <c>.issues/&lt;id&gt;/</c>.</summary>
    public const string CommentsFolder = "comments";

    public static string Folder(string id) => $"{Root}/{id}";

    public static string IssueFileOf(string id) => $"{Root}/{id}/{IssueFile}";

    public static string CommentsOf(string id) => $"{Root}/{id}/{CommentsFolder}";

    public static string CommentFileOf(string id, string fileName) => $"{Root}/{id}/{CommentsFolder}/{fileName}";
}
