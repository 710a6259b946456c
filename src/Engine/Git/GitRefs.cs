namespace GitTorrent.Engine.Git;

/// <summary>Reads the ref tips a seeder serves: HEAD, refs/heads/* and refs/tags/* (docs/PROTOCOL.md section 2).</summary>
public static class GitRefs
{
    /// <summary>
    /// Ref name to commit id. Annotated tags are peeled to their commit; refs that do not end at a
    /// commit (a tag of a tree or blob) are left out, since a profile lists commit ids only.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, Hash20>> ReadAsync(string repositoryPath, CancellationToken cancellationToken)
    {
        var refs = new SortedDictionary<string, Hash20>(StringComparer.Ordinal);
        foreach (var tip in await ReadTipsAsync(repositoryPath, cancellationToken).ConfigureAwait(false))
        {
            refs[tip.Name] = tip.Commit;
        }
        var head = await GitRunner.RunCapturedAsync(repositoryPath, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            cancellationToken).ConfigureAwait(false);
        if (head.ExitCode == 0 && Hash20.TryParse(head.StandardOutput.Trim(), out var headId))
        {
            refs["HEAD"] = headId;
        }
        return refs;
    }

    /// <summary>
    /// The branches and tags (<c>refs/heads/*</c>, <c>refs/tags/*</c>, sorted by name) that end at a commit: each with the
    /// object it names (an annotated tag's own id) and that commit. A tag of a tree, a blob or another tag is left out.
    /// </summary>
    public static async Task<IReadOnlyList<GitRefTip>> ReadTipsAsync(string repositoryPath, CancellationToken cancellationToken)
    {
        var output = await GitRunner.RunAsync(repositoryPath,
            ["for-each-ref", "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)", "refs/heads", "refs/tags"],
            cancellationToken).ConfigureAwait(false);
        List<GitRefTip> tips = [];
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<oid> <type> <peeled oid or empty> <peeled type or empty> <refname>"
            var parts = line.Split(' ', 5);
            if (parts.Length != 5 || !Hash20.TryParse(parts[0], out var id))
            {
                continue;
            }
            var (type, peeled, peeledType, name) = (parts[1], parts[2], parts[3], parts[4]);
            if (type == "commit")
            {
                tips.Add(new GitRefTip(name, id, id));
            }
            else if (type == "tag" && peeledType == "commit" && Hash20.TryParse(peeled, out var commit))
            {
                tips.Add(new GitRefTip(name, id, commit));
            }
        }
        return [.. tips.OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>The symbolic target of HEAD (e.g. refs/heads/main), or null when detached or unborn.</summary>
    public static async Task<string?> ReadHeadTargetAsync(string repositoryPath, CancellationToken cancellationToken)
    {
        var result = await GitRunner.RunCapturedAsync(repositoryPath, ["symbolic-ref", "--quiet", "HEAD"], cancellationToken)
            .ConfigureAwait(false);
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
    }

    /// <summary>Whether <paramref name="commit"/> exists in the repository as a commit object.</summary>
    public static async Task<bool> HasCommitAsync(string repositoryPath, Hash20 commit, CancellationToken cancellationToken)
    {
        var result = await GitRunner.RunCapturedAsync(repositoryPath, ["cat-file", "-t", commit.ToString()], cancellationToken)
            .ConfigureAwait(false);
        return result.ExitCode == 0 && result.StandardOutput.Trim() == "commit";
    }

    /// <summary>The subset of <paramref name="candidates"/> that exist in the repository as objects.</summary>
    public static async Task<IReadOnlyList<Hash20>> FilterExistingAsync(string repositoryPath, IReadOnlyCollection<Hash20> candidates,
        CancellationToken cancellationToken) =>
        [.. (await ObjectTypesAsync(repositoryPath, candidates, cancellationToken).ConfigureAwait(false)).Keys];

    /// <summary>The type ("commit", "tree", "blob", "tag") of each of <paramref name="candidates"/> the repository has, in one git call.</summary>
    public static async Task<IReadOnlyDictionary<Hash20, string>> ObjectTypesAsync(string repositoryPath, IReadOnlyCollection<Hash20> candidates,
        CancellationToken cancellationToken)
    {
        var present = new Dictionary<Hash20, string>();
        if (candidates.Count == 0)
        {
            return present;
        }
        var input = string.Concat(candidates.Select(c => c + "\n"));
        var output = await GitRunner.RunAsync(repositoryPath, ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
            cancellationToken, input).ConfigureAwait(false);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Present: "<oid> <type>"; absent: "<oid> missing".
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[1] != "missing" && Hash20.TryParse(parts[0], out var id))
            {
                present[id] = parts[1];
            }
        }
        return present;
    }
}
