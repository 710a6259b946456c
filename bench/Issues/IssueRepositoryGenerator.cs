using System.Globalization;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Bench.Issues;

/// <summary>
/// Makes a bare repository of N issues with C comments each through the command line's code path (the engine's
/// <see cref="IssueFormat"/>, <see cref="IssueId"/> and <see cref="IssueCommitter"/>, as <c>gittorrent issue</c> uses
/// them), in batches of files per commit instead of one process per issue. One issue in ten is closed.
/// </summary>
internal sealed class IssueRepositoryGenerator(string path, Hash20 author)
{
    private static readonly string[] Labels = ["bug", "network", "ui", "docs", "performance", "security"];
    private GitWorkTree? _repository;

    public IReadOnlyList<string> Ids { get; private set; } = [];

    public async Task GenerateAsync(int issues, int commentsPerIssue, CancellationToken cancellationToken)
    {
        await GitRunner.RunAsync(Path.GetDirectoryName(path)!, ["init", "-q", "--bare", "-b", "main", path], cancellationToken);
        await GitRunner.RunAsync(path, ["config", "user.name", "Bench"], cancellationToken);
        await GitRunner.RunAsync(path, ["config", "user.email", "bench@example.invalid"], cancellationToken);
        _repository = await GitWorkTree.FindAsync(path, cancellationToken) ?? throw new InvalidOperationException("no repository at " + path);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = new List<string>(issues);
        var batch = new List<IssueFileChange>();
        for (var i = 0; i < issues; i++)
        {
            var created = start.AddMinutes(i);
            var title = string.Create(CultureInfo.InvariantCulture, $"Issue {i}: clone of repository {i % 97} stalls after {i % 13} peers");
            var id = IssueId.Derive(author, created.ToUnixTimeSeconds(), title);
            ids.Add(id);
            var text = IssueFormat.WriteIssue(title, author, created, IssueState.Open, [Labels[i % Labels.Length], Labels[(i / 7) % Labels.Length]],
                $"Steps to reproduce issue {i}:\n\n1. `gittorrent clone`\n2. wait\n\nExpected **a clone**, got a *stall*.\n");
            batch.Add(new IssueFileChange(IssuePaths.IssueFileOf(id), i % 10 == 9 ? IssueFormat.WithState(text, IssueState.Closed) : text, true));
            await FlushAsync(batch, 500, "issues", cancellationToken);
        }
        await FlushAsync(batch, 0, "issues", cancellationToken);
        for (var c = 0; c < commentsPerIssue; c++)
        {
            for (var i = 0; i < issues; i++)
            {
                var created = start.AddDays(30 + c).AddSeconds(i);
                batch.Add(new IssueFileChange(IssuePaths.CommentFileOf(ids[i], IssueFormat.CommentFileName(created, author)),
                    IssueFormat.WriteComment(author, created, $"Comment {c} on issue {i}: seen it too, with **{c + 1}** peers.\n"), true));
                await FlushAsync(batch, 2500, "comments", cancellationToken);
            }
        }
        await FlushAsync(batch, 0, "comments", cancellationToken);
        await GitRunner.RunAsync(path, ["gc", "-q"], cancellationToken);
        Ids = ids;
    }

    /// <summary>One new comment on one issue in its own commit, as <c>gittorrent issue comment</c> makes it.</summary>
    public async Task<Hash20> CommentAsync(string id, DateTimeOffset created, CancellationToken cancellationToken)
    {
        List<IssueFileChange> change = [new(IssuePaths.CommentFileOf(id, IssueFormat.CommentFileName(created, author)),
            IssueFormat.WriteComment(author, created, "One more comment.\n"), true)];
        return await CommitAsync(change, $"issue {id}: comment", cancellationToken);
    }

    private async Task FlushAsync(List<IssueFileChange> batch, int atLeast, string what, CancellationToken cancellationToken)
    {
        if (batch.Count == 0 || batch.Count < atLeast)
        {
            return;
        }
        await CommitAsync(batch, $"bench: {batch.Count} {what}", cancellationToken);
        batch.Clear();
    }

    private async Task<Hash20> CommitAsync(IReadOnlyList<IssueFileChange> changes, string message, CancellationToken cancellationToken)
    {
        var committer = new IssueCommitter(_repository!);
        var (target, refusal) = await committer.PrepareAsync(cancellationToken);
        var result = await committer.CommitAsync(target ?? throw new InvalidOperationException(refusal), changes, message, cancellationToken);
        return result.Commit ?? throw new InvalidOperationException(result.Error);
    }
}
