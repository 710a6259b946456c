using System.Text;
using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Commits issue files on the current branch with git plumbing only, so nothing else a user has staged or changed is
/// touched: blobs with <c>hash-object</c>, the tree in a temporary index (<c>GIT_INDEX_FILE</c>) holding HEAD plus
/// the issue files, <c>commit-tree</c> (author and committer from git's config and environment, as for
/// <c>git commit</c>), <c>update-ref</c> with the old value (a branch that moved meanwhile is not overwritten); then
/// the same files are written into the working tree and their entries, and only theirs, into the real index.
/// Refuses a detached HEAD, a tree in conflict or mid-merge, and issue files with uncommitted changes.
/// </summary>
public sealed class IssueCommitter(GitWorkTree repository)
{
    private const string ZeroId = "0000000000000000000000000000000000000000";

    private static readonly (string File, string What)[] Operations =
    [
        ("MERGE_HEAD", "a merge"), ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert"),
        ("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or git am"),
    ];

    /// <summary>The branch to commit on, or the reason the repository cannot take an issue commit now.</summary>
    public async Task<(IssueCommitTarget? Target, string? Refusal)> PrepareAsync(CancellationToken cancellationToken)
    {
        var branch = await GitRunner.RunCapturedAsync(repository.GitDirectory, ["symbolic-ref", "-q", "HEAD"], cancellationToken)
            .ConfigureAwait(false);
        if (branch.ExitCode != 0)
        {
            return (null, "HEAD is detached: check out a branch first (git switch <branch>)");
        }
        if (Operations.FirstOrDefault(o => Path.Exists(Path.Combine(repository.GitDirectory, o.File))) is { File: not null } busy)
        {
            return (null, $"{busy.What} is in progress: finish or abort it first");
        }
        if (!repository.IsBare)
        {
            var unmerged = await GitRunner.RunAsync(repository.TopLevel!, ["ls-files", "--unmerged"], cancellationToken).ConfigureAwait(false);
            if (unmerged.Length > 0)
            {
                return (null, "the working tree has unresolved conflicts (see git status): resolve them first");
            }
        }
        var head = await GitRunner.RunCapturedAsync(repository.GitDirectory, ["rev-parse", "-q", "--verify", "HEAD^{commit}"],
            cancellationToken).ConfigureAwait(false);
        Hash20? parent = head.ExitCode == 0 && Hash20.TryParse(head.StandardOutput.Trim(), out var id) ? id : null;
        return (new IssueCommitTarget(branch.StandardOutput.Trim(), parent), null);
    }

    /// <summary>Commits <paramref name="changes"/> on top of <paramref name="target"/> with <paramref name="message"/>.</summary>
    public async Task<IssueCommitResult> CommitAsync(IssueCommitTarget target, IReadOnlyList<IssueFileChange> changes, string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return IssueCommitResult.Refused("nothing to commit");
        }
        if (!repository.IsBare && await UncommittedAsync(changes, cancellationToken).ConfigureAwait(false) is { } dirty)
        {
            return IssueCommitResult.Refused(dirty);
        }
        var scratch = Path.Combine(repository.GitDirectory, "gittorrent", "tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            var blobs = await WriteBlobsAsync(scratch, changes, cancellationToken).ConfigureAwait(false);
            var indexInfo = IndexInfo(changes, blobs);
            var index = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = Path.Combine(scratch, "index") };
            await GitRunner.RunAsync(repository.GitDirectory, target.Parent is { } parent ? ["read-tree", parent.ToString()] : ["read-tree", "--empty"],
                cancellationToken, environment: index).ConfigureAwait(false);
            await GitRunner.RunAsync(repository.GitDirectory, ["update-index", "--index-info"], cancellationToken, indexInfo, index)
                .ConfigureAwait(false);
            var tree = (await GitRunner.RunAsync(repository.GitDirectory, ["write-tree"], cancellationToken, environment: index)
                .ConfigureAwait(false)).Trim();
            List<string> commitArgs = ["commit-tree", tree];
            if (target.Parent is { } p)
            {
                commitArgs.AddRange(["-p", p.ToString()]);
            }
            commitArgs.AddRange(["-F", "-"]);
            var made = await GitRunner.RunCapturedAsync(repository.GitDirectory, commitArgs, cancellationToken, message + "\n")
                .ConfigureAwait(false);
            if (made.ExitCode != 0 || !Hash20.TryParse(made.StandardOutput.Trim(), out var commit))
            {
                return IssueCommitResult.Refused(made.StandardError.Contains("tell me who you are", StringComparison.OrdinalIgnoreCase)
                    || made.StandardError.Contains("empty ident", StringComparison.OrdinalIgnoreCase)
                    ? "git does not know who you are: set user.name and user.email (git config)"
                    : "git commit-tree failed: " + FirstLine(made.StandardError));
            }
            var moved = await GitRunner.RunCapturedAsync(repository.GitDirectory,
                ["update-ref", "-m", "gittorrent issue: " + FirstLine(message), target.Branch, commit.ToString(),
                 target.Parent?.ToString() ?? ZeroId], cancellationToken).ConfigureAwait(false);
            if (moved.ExitCode != 0)
            {
                return IssueCommitResult.Refused($"{target.Branch} moved while the issue was being committed: run the command again");
            }
            if (!repository.IsBare)
            {
                foreach (var change in changes)
                {
                    var file = Path.Combine(repository.TopLevel!, change.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                    await File.WriteAllTextAsync(file, change.Content, Utf8, cancellationToken).ConfigureAwait(false);
                }
                await GitRunner.RunAsync(repository.TopLevel!, ["update-index", "--index-info"], cancellationToken, indexInfo).ConfigureAwait(false);
            }
            return new IssueCommitResult(commit, null);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The first issue file with staged or unstaged changes, or in the way of a new file; null when all are clean.</summary>
    private async Task<string?> UncommittedAsync(IReadOnlyList<IssueFileChange> changes, CancellationToken cancellationToken)
    {
        var status = await GitRunner.RunAsync(repository.TopLevel!,
            ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", .. changes.Select(c => ":(literal)" + c.Path)],
            cancellationToken).ConfigureAwait(false);
        var first = status.Split('\0', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is { Length: > 3 }
            ? $"{first[3..]} has changes that are not committed: commit, stash or remove them first"
            : null;
    }

    private async Task<List<string>> WriteBlobsAsync(string scratch, IReadOnlyList<IssueFileChange> changes, CancellationToken cancellationToken)
    {
        var paths = new StringBuilder();
        for (var i = 0; i < changes.Count; i++)
        {
            var file = Path.Combine(scratch, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await File.WriteAllTextAsync(file, changes[i].Content, Utf8, cancellationToken).ConfigureAwait(false);
            paths.Append(file).Append('\n');
        }
        var ids = await GitRunner.RunAsync(repository.GitDirectory, ["hash-object", "-w", "--no-filters", "--stdin-paths"],
            cancellationToken, paths.ToString()).ConfigureAwait(false);
        return [.. ids.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static string IndexInfo(IReadOnlyList<IssueFileChange> changes, List<string> blobs)
    {
        var info = new StringBuilder();
        for (var i = 0; i < changes.Count; i++)
        {
            info.Append("100644 ").Append(blobs[i]).Append('\t').Append(changes[i].Path).Append('\n');
        }
        return info.ToString();
    }

    private static string FirstLine(string text) => text.Trim().Split('\n')[0].Trim();
}
