namespace GitTorrent.Engine.Git;

/// <summary>
/// Resolves a ref to its object id by reading the git directory's files (<c>HEAD</c>, loose refs, <c>packed-refs</c>)
/// without starting git. Handles <c>HEAD</c>, full ref names, branch and tag short names and 40-hex ids; anything
/// else (revision expressions, unborn branches, odd files) gives null and the caller asks git. For caches keyed by
/// the commit, where a miss only costs time.
/// </summary>
public static class GitRefReader
{
    private const int MaxSymbolicDepth = 5;
    private const long MaxPackedRefsBytes = 64L * 1024 * 1024;

    public static Hash20? TryResolve(string gitDirectory, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Hash20.IsLowerHex40(name))
        {
            return Hash20.Parse(name);
        }
        try
        {
            var common = CommonDirectory(gitDirectory);
            IEnumerable<string> candidates = name == "HEAD" || name.StartsWith("refs/", StringComparison.Ordinal)
                ? [name]
                : ["refs/heads/" + name, "refs/tags/" + name];
            foreach (var candidate in candidates)
            {
                if (IsSafeRefName(candidate) && Resolve(gitDirectory, common, candidate, 0) is { } id)
                {
                    return id;
                }
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Hash20? Resolve(string gitDirectory, string common, string name, int depth)
    {
        if (depth > MaxSymbolicDepth)
        {
            return null;
        }
        // HEAD (and other per-worktree refs) live in the git directory, shared refs in the common directory.
        var loose = Path.Combine(name == "HEAD" ? gitDirectory : common, name);
        if (File.Exists(loose))
        {
            var text = File.ReadAllText(loose).Trim();
            if (text.StartsWith("ref: ", StringComparison.Ordinal))
            {
                var target = text[5..].Trim();
                return IsSafeRefName(target) ? Resolve(gitDirectory, common, target, depth + 1) : null;
            }
            return Hash20.IsLowerHex40(text) ? Hash20.Parse(text) : null;
        }
        return Packed(common, name);
    }

    private static Hash20? Packed(string common, string name)
    {
        var path = Path.Combine(common, "packed-refs");
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > MaxPackedRefsBytes)
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            // "<40 hex> <refname>"; '#' starts the header, '^' a peeled tag line.
            if (line.Length == 41 + name.Length && line[40] == ' ' && line.EndsWith(name, StringComparison.Ordinal)
                && Hash20.IsLowerHex40(line.AsSpan(0, 40)))
            {
                return Hash20.Parse(line[..40]);
            }
        }
        return null;
    }

    private static string CommonDirectory(string gitDirectory)
    {
        var file = Path.Combine(gitDirectory, "commondir");
        return File.Exists(file) ? Path.GetFullPath(File.ReadAllText(file).Trim(), gitDirectory) : gitDirectory;
    }

    private static bool IsSafeRefName(string name) =>
        (name == "HEAD" || name.StartsWith("refs/", StringComparison.Ordinal))
        && !name.Contains("..", StringComparison.Ordinal) && !name.Contains('\\', StringComparison.Ordinal)
        && !name.EndsWith('/') && name.All(c => c > ' ' && c != 0x7f && c is not (':' or '?' or '*' or '[' or '~' or '^'));
}
