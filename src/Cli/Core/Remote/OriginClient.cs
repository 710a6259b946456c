using GitTorrent.Engine;
using GitTorrent.Engine.Git;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// The origin of a host-form URL, reached with the real git (smart HTTP or whatever the URL says):
/// its refs for <c>list</c>, and objects when the swarm cannot serve them.
/// </summary>
public sealed class OriginClient(string originUrl)
{
    public string Url { get; } = originUrl;

    /// <summary>
    /// HEAD, refs/heads/* and refs/tags/* as the origin advertises them, the symbolic target of HEAD,
    /// and for annotated tags the commit they peel to.
    /// </summary>
    public async Task<OriginRefs> ListAsync(CancellationToken cancellationToken)
    {
        var result = await GitRunner.RunCapturedAsync(Environment.CurrentDirectory,
            ["ls-remote", "--symref", Url, "HEAD", "refs/heads/*", "refs/tags/*"], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new GitTorrentException($"cannot list refs of the origin {Url}: {LastLine(result.StandardError)}");
        }
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        var peeled = new Dictionary<string, string>(StringComparer.Ordinal);
        string? head = null;
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                continue;
            }
            var (left, name) = (line[..tab], line[(tab + 1)..]);
            if (left.StartsWith("ref: ", StringComparison.Ordinal))
            {
                if (name == "HEAD")
                {
                    head = left[5..];
                }
                continue;
            }
            if (!Hash20.IsLowerHex40(left))
            {
                continue;
            }
            if (name.EndsWith("^{}", StringComparison.Ordinal))
            {
                peeled[name[..^3]] = left;
            }
            else if (name == "HEAD" || Engine.Profiles.UserProfile.IsValidRefName(name))
            {
                refs[name] = left;
            }
        }
        return new OriginRefs(refs, head, peeled);
    }

    /// <summary>Fetches the named refs from the origin into <paramref name="gitDirectory"/> (objects only, no ref updates).</summary>
    public async Task FetchAsync(string gitDirectory, IReadOnlyList<string> refNames, bool progress, CancellationToken cancellationToken)
    {
        string[] args = ["--git-dir=" + gitDirectory, "fetch", "--no-tags", "--no-write-fetch-head", progress ? "--progress" : "--quiet",
            Url, .. refNames.Distinct()];
        var result = await GitRunner.RunCapturedAsync(Environment.CurrentDirectory, args, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new GitTorrentException($"fetching from the origin {Url} failed: {LastLine(result.StandardError)}");
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
}

/// <summary>Refs of an origin: name to id, HEAD's target, and annotated tag name to the commit it peels to.</summary>
public sealed record OriginRefs(IReadOnlyDictionary<string, string> Refs, string? HeadTarget, IReadOnlyDictionary<string, string> Peeled);
