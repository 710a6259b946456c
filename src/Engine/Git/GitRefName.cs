namespace GitTorrent.Engine.Git;

/// <summary>
/// Git's rules for ref names, as <c>git check-ref-format</c> applies them without options (git-check-ref-format(1)):
/// at least two components separated by <c>/</c>; no component empty, starting with <c>.</c> or ending with
/// <c>.lock</c>; no <c>..</c>, no <c>@{</c>; no control character (below 0x20, or 0x7f), space, <c>~ ^ : ? * [ \</c>;
/// not ending with <c>.</c>; not the single character <c>@</c>; not starting with <c>-</c> (the command takes such a
/// name for an option and refuses it, and so would every git command given it as an argument). The name is also refused when it is not well-formed
/// UTF-16 (a lone surrogate from JSON), since it could not reach git as the same bytes.
/// </summary>
public static class GitRefName
{
    public static bool IsValid(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name[0] == '-' || name == "@" || name.EndsWith('.') || !name.Contains('/'))
        {
            return false;
        }
        var componentStart = 0;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c < 0x20 || c == 0x7f || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            {
                return false;
            }
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == name.Length || !char.IsLowSurrogate(name[i + 1]))
                {
                    return false;
                }
                i++;
                continue;
            }
            if ((c == '.' && i > 0 && name[i - 1] == '.') || (c == '{' && i > 0 && name[i - 1] == '@'))
            {
                return false;
            }
            if (c == '/')
            {
                if (!IsValidComponent(name.AsSpan(componentStart, i - componentStart)))
                {
                    return false;
                }
                componentStart = i + 1;
            }
        }
        return IsValidComponent(name.AsSpan(componentStart));
    }

    /// <summary>
    /// Removes the refs git could not hold beside another (a directory/file conflict: <c>refs/heads/x</c> and
    /// <c>refs/heads/x/y</c>): the shorter name is kept, as it would be if git created them in order. Returns how many
    /// were removed.
    /// </summary>
    public static int RemoveDirectoryFileConflicts<T>(SortedDictionary<string, T> refs)
    {
        ArgumentNullException.ThrowIfNull(refs);
        // Ordinal order puts every name before the names it is a directory of, so one pass sees the kept name first.
        var kept = new HashSet<string>(StringComparer.Ordinal);
        List<string> conflicting = [];
        foreach (var name in refs.Keys)
        {
            var conflict = false;
            for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash > 0 && !conflict;
                 slash = name.IndexOf('/', slash + 1))
            {
                conflict = kept.Contains(name[..slash]);
            }
            if (conflict)
            {
                conflicting.Add(name);
            }
            else
            {
                kept.Add(name);
            }
        }
        foreach (var name in conflicting)
        {
            refs.Remove(name);
        }
        return conflicting.Count;
    }

    private static bool IsValidComponent(ReadOnlySpan<char> component) =>
        component.Length > 0 && component[0] != '.' && !component.EndsWith(".lock", StringComparison.Ordinal);
}
