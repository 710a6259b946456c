namespace GitTorrent.Engine.Git;

/// <summary>
/// Finds the git directory around a folder without starting git (the discovery git does, minus its environment
/// variables and safety checks): a <c>.git</c> folder, a <c>.git</c> file naming one (<c>gitdir: ...</c>), or a bare
/// repository. For places where a wrong answer only costs time (a cache location); git itself stays the authority.
/// </summary>
public static class GitDirectoryLocator
{
    public static string? Find(string directory)
    {
        for (var current = new DirectoryInfo(Path.GetFullPath(directory)); current is not null; current = current.Parent)
        {
            var dotGit = Path.Combine(current.FullName, ".git");
            if (Directory.Exists(dotGit) && IsGitDirectory(dotGit))
            {
                return dotGit;
            }
            if (File.Exists(dotGit) && ReadGitFile(dotGit) is { } linked)
            {
                return linked;
            }
            if (IsGitDirectory(current.FullName))
            {
                return current.FullName;
            }
        }
        return null;
    }

    private static bool IsGitDirectory(string path) =>
        File.Exists(Path.Combine(path, "HEAD")) && Directory.Exists(Path.Combine(path, "objects")) && Directory.Exists(Path.Combine(path, "refs"));

    private static string? ReadGitFile(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("gitdir: ", StringComparison.Ordinal))
            {
                return null;
            }
            var target = Path.GetFullPath(line["gitdir: ".Length..].Trim(), Path.GetDirectoryName(path)!);
            return Directory.Exists(target) ? target : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
