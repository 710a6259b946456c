using GitTorrent.Engine;
using GitTorrent.Web.Git;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Forks;

/// <summary>
/// Scratch bare repositories that see the objects of two store repositories (<c>objects/info/alternates</c> naming
/// both), so a fork's branch can be compared, merge-checked and diffed against the original in one repository
/// without copying or fetching anything. Kept in <c>&lt;DataDir&gt;/compare/</c>, at most
/// <see cref="ForkOptions.MaxCompareWorkspaces"/> (the least recently used are removed).
/// </summary>
public sealed class CompareWorkspaces(IOptions<PortalOptions> portal, IOptions<ForkOptions> options, GitRepositoryPool pool)
{
    private readonly Lock _gate = new();

    public string Root { get; } = Path.Combine(portal.Value.DataDir, "compare");

    /// <summary>A repository path where objects of both are readable: <paramref name="first"/> itself when they are the same.</summary>
    public string PathFor(string first, string second)
    {
        if (string.Equals(first, second, StringComparison.Ordinal))
        {
            return first;
        }
        var key = Hash20.Sha1(System.Text.Encoding.UTF8.GetBytes(first + "\n" + second)).ToString()[..20];
        var path = Path.Combine(Root, key + ".git");
        lock (_gate)
        {
            if (!Directory.Exists(path))
            {
                Evict();
                var building = path + ".new";
                if (Directory.Exists(building))
                {
                    Directory.Delete(building, recursive: true);
                }
                LibGit2Sharp.Repository.Init(building, isBare: true);
                File.WriteAllText(Path.Combine(building, "objects", "info", "alternates"),
                    Path.Combine(first, "objects") + "\n" + Path.Combine(second, "objects") + "\n");
                Directory.Move(building, path);
            }
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        return path;
    }

    private void Evict()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        var existing = new DirectoryInfo(Root).GetDirectories("*.git").OrderByDescending(d => d.LastWriteTimeUtc).ToList();
        foreach (var old in existing.Skip(options.Value.MaxCompareWorkspaces - 1))
        {
            pool.Invalidate(old.FullName);
            old.Delete(recursive: true);
        }
    }
}
