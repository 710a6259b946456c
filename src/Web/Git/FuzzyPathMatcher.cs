namespace GitTorrent.Web.Git;

/// <summary>
/// The file finder's matching: every character of the query appears in the path in order (case-insensitive);
/// matches score higher when characters are consecutive, start a segment, or fall in the file name; shorter paths
/// win ties.
/// </summary>
public static class FuzzyPathMatcher
{
    public static IReadOnlyList<string> Match(IReadOnlyList<string> paths, string query, int take)
    {
        if (query.Length == 0)
        {
            return [.. paths.Take(take)];
        }

        var scored = new List<(string Path, int Score)>();
        foreach (var path in paths)
        {
            if (Score(path, query) is { } score)
            {
                scored.Add((path, score));
            }
        }

        return [.. scored.OrderByDescending(s => s.Score).ThenBy(s => s.Path.Length).ThenBy(s => s.Path, StringComparer.Ordinal).Take(take).Select(s => s.Path)];
    }

    /// <summary>The score of a match, or null when <paramref name="query"/> is not a subsequence of <paramref name="path"/>.</summary>
    public static int? Score(string path, string query)
    {
        var nameStart = path.LastIndexOf('/') + 1;
        var score = 0;
        var last = -2;
        var at = 0;
        foreach (var c in query)
        {
            var found = -1;
            for (var i = at; i < path.Length; i++)
            {
                if (char.ToLowerInvariant(path[i]) == char.ToLowerInvariant(c))
                {
                    found = i;
                    break;
                }
            }

            if (found < 0)
            {
                return null;
            }

            score += 1 + (found == last + 1 ? 5 : 0) + (found == 0 || path[found - 1] is '/' or '_' or '-' or '.' ? 3 : 0) + (found >= nameStart ? 2 : 0);
            last = found;
            at = found + 1;
        }

        return score;
    }
}
