namespace GitTorrent.Engine.Git;

/// <summary>
/// Finds the git repositories under a folder (INTERFACES.md, <c>gittorrent daemon --repos DIR</c>):
/// a repository's name is its path below DIR without a trailing <c>.git</c> or <c>/.git</c>, so
/// <c>DIR/foo.git</c> and <c>DIR/foo/.git</c> are both <c>foo</c>.
/// </summary>
public static class RepositoryScanner
{
    /// <summary>Folders deeper than this below DIR are not searched.</summary>
    public const int MaxDepth = 6;

    /// <summary>Names we publish (<see cref="RepositoryName.IsValid"/>).</summary>
    public static bool IsValidName(string name) => RepositoryName.IsValid(name);

    /// <summary>Repositories under <paramref name="root"/>, sorted by name; folders with unusable names are skipped.</summary>
    public static IReadOnlyList<ServedRepository> Scan(string root, Action<string>? onSkipped = null)
    {
        var found = new SortedDictionary<string, ServedRepository>(StringComparer.Ordinal);
        var rootFull = System.IO.Path.GetFullPath(root);
        Walk(rootFull, rootFull, 0, found, onSkipped);
        return [.. found.Values];
    }

    /// <summary>Whether <paramref name="directory"/> is a bare repository or a git directory.</summary>
    public static bool IsGitDirectory(string directory) =>
        File.Exists(System.IO.Path.Combine(directory, "HEAD"))
        && Directory.Exists(System.IO.Path.Combine(directory, "objects"))
        && Directory.Exists(System.IO.Path.Combine(directory, "refs"));

    private static void Walk(string root, string directory, int depth, SortedDictionary<string, ServedRepository> found,
        Action<string>? onSkipped)
    {
        if (depth > MaxDepth)
        {
            return;
        }
        string? gitDir = null;
        if (directory != root && IsGitDirectory(directory))
        {
            gitDir = directory;
        }
        else if (IsGitDirectory(System.IO.Path.Combine(directory, ".git")))
        {
            gitDir = System.IO.Path.Combine(directory, ".git");
        }
        if (gitDir is not null && directory != root)
        {
            var relative = System.IO.Path.GetRelativePath(root, directory).Replace('\\', '/');
            var name = relative.EndsWith(".git", StringComparison.Ordinal) ? relative[..^4] : relative;
            if (IsValidName(name))
            {
                found.TryAdd(name, new ServedRepository(name, gitDir));
            }
            else
            {
                onSkipped?.Invoke(relative);
            }
            return;
        }
        IEnumerable<string> children;
        try
        {
            children = Directory.EnumerateDirectories(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onSkipped?.Invoke(directory);
            return;
        }
        foreach (var child in children)
        {
            var info = new DirectoryInfo(child);
            if (info.LinkTarget is not null || info.Name.StartsWith('.'))
            {
                continue; // no symlinks (they could point outside DIR) and no hidden folders
            }
            Walk(root, child, depth + 1, found, onSkipped);
        }
    }
}
