using GitTorrent.Web.Git;

namespace GitTorrent.Web.Forks;

/// <summary>The lines of one file's unified diff (LibGit2Sharp's patch text) as <see cref="DiffLine"/>s, bounded.</summary>
public static class PatchLines
{
    public static List<DiffLine> Parse(string patch, int limit, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var lines = new List<DiffLine>();
        truncated = false;
        var inHunk = false;
        foreach (var line in patch.Split('\n'))
        {
            if (lines.Count >= limit)
            {
                truncated = true;
                break;
            }
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                inHunk = true;
                lines.Add(new DiffLine('@', line));
            }
            else if (inHunk && line.Length > 0 && line[0] is '+' or '-' or ' ' or '\\')
            {
                lines.Add(line[0] == '\\' ? new DiffLine('\\', line) : new DiffLine(line[0], line[1..]));
            }
        }
        return lines;
    }
}
