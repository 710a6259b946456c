using GitTorrent.Engine.Git;

namespace GitTorrent.Cli.Remote;

/// <summary>Pushes from the user's repository into the bare repository the local daemon serves.</summary>
public static class LocalStore
{
    public static async Task<IReadOnlyList<PushResult>> PushAsync(string gitDirectory, string store,
        IReadOnlyList<PushRequest> refspecs, CancellationToken cancellationToken)
    {
        string[] args = ["--git-dir=" + gitDirectory, "push", "--porcelain", store,
            .. refspecs.Select(r => (r.Force ? "+" : "") + r.Source + ":" + r.Destination)];
        var result = await GitRunner.RunCapturedAsync(Environment.CurrentDirectory, args, cancellationToken).ConfigureAwait(false);
        // Porcelain lines: "<flag>\t<src>:<dst>\t<summary>", flag ' ' ok, '+' forced, '-' deleted, '*' new, '=' up to date, '!' rejected.
        var byDestination = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var parts = line.Split('\t');
            if (parts.Length < 3 || parts[0].Length != 1)
            {
                continue;
            }
            var destination = parts[1][(parts[1].IndexOf(':', StringComparison.Ordinal) + 1)..];
            byDestination[destination] = parts[0] == "!" ? parts[2].Trim('[', ']', ' ') : null;
        }
        return [.. refspecs.Select(r => new PushResult(r.Destination, byDestination.TryGetValue(r.Destination, out var error)
            ? error
            : "push failed: " + (result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "no output")))];
    }

    /// <summary>
    /// When the store's HEAD points at no existing branch (a fresh store whose default branch was not pushed), points
    /// it at a pushed branch, preferring main and master, so clones check something out.
    /// </summary>
    public static async Task PointHeadAtABranchAsync(string store, IEnumerable<string> pushed, CancellationToken cancellationToken)
    {
        var head = await GitRunner.RunCapturedAsync(store, ["rev-parse", "--verify", "--quiet", "HEAD"], cancellationToken).ConfigureAwait(false);
        if (head.ExitCode == 0)
        {
            return;
        }
        var branches = pushed.Where(r => r.StartsWith("refs/heads/", StringComparison.Ordinal)).ToList();
        var target = branches.FirstOrDefault(b => b is "refs/heads/main" or "refs/heads/master") ?? branches.FirstOrDefault();
        if (target is not null && (await GitRunner.RunCapturedAsync(store, ["rev-parse", "--verify", "--quiet", target], cancellationToken)
                .ConfigureAwait(false)).ExitCode == 0)
        {
            await GitRunner.RunAsync(store, ["symbolic-ref", "HEAD", target], cancellationToken).ConfigureAwait(false);
        }
    }
}
