using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Issues;
using GitTorrent.TestSupport;
using GitTorrent.Web.Git;
using GitTorrent.Web.Issues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Issues;

/// <summary>
/// The portal's <see cref="IssueIndex"/> in-process: the list of a commit made from the previous commit's list by a tree
/// diff is exactly the list a fresh index builds, through comments, a new issue, a deleted one, one turned unreadable
/// and one repaired.
/// </summary>
public sealed class IssueIndexTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Hash20 Author = Hash20.Parse(new string('7', 40));

    [Fact]
    public async Task A_list_updated_from_the_previous_commit_equals_a_full_index()
    {
        using var repo = new TempGitRepo();
        var ids = Enumerable.Range(0, 30).Select(i => Write(repo, $"Issue {i}", i, "")).ToList();
        Write(repo, ".issues/ffffffffffff/issue.md", "---\ntitle: broken\n---\n");
        var first = repo.Commit().ToString();

        using var pool = new GitRepositoryPool();
        using var index = NewIndex(pool);
        var before = await index.SnapshotAsync(repo.GitDir, first, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(30, before.All.Count);

        // One commit changing several folders: a comment, a close, a deletion, a new issue, one broken, one repaired.
        Write(repo, IssuePaths.CommentFileOf(ids[3], "100-77777777.md"), IssueFormat.WriteComment(Author, At(100), "new comment"));
        Write(repo, IssuePaths.IssueFileOf(ids[4]), IssueFormat.WriteIssue("Issue 4", Author, At(4), IssueState.Closed, [], ""));
        Directory.Delete(Path.Combine(repo.Root, IssuePaths.Folder(ids[5])), recursive: true);
        repo.Git("add", "-A");
        var added = Write(repo, "Brand new", 500, "");
        Write(repo, IssuePaths.IssueFileOf(ids[6]), "---\nstate: gone\n---\n");
        Write(repo, ".issues/ffffffffffff/issue.md", IssueFormat.WriteIssue("repaired", Author, At(600), IssueState.Open, ["fixed"], ""));
        var second = repo.Commit().ToString();

        var incremental = await index.SnapshotAsync(repo.GitDir, second, CancellationToken.None).WaitAsync(Timeout);
        using var freshPool = new GitRepositoryPool();
        using var fresh = NewIndex(freshPool);
        var full = await fresh.SnapshotAsync(repo.GitDir, second, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(Rows(full.All), Rows(incremental.All));
        Assert.Equal(Rows(full.Open), Rows(incremental.Open));
        Assert.Equal(Rows(full.Closed), Rows(incremental.Closed));
        Assert.Equal(full.Unreadable, incremental.Unreadable);
        Assert.Equal(full.Folders.OrderBy(f => f.Key, StringComparer.Ordinal), incremental.Folders.OrderBy(f => f.Key, StringComparer.Ordinal));
        Assert.Contains(incremental.All, i => i.Id == added);
        Assert.Contains(incremental.All, i => i.Id == "ffffffffffff");
        Assert.DoesNotContain(incremental.All, i => i.Id == ids[5] || i.Id == ids[6]);
        Assert.Equal(1, incremental.ById[ids[3]].CommentCount);
        Assert.Equal(IssueState.Closed, incremental.ById[ids[4]].State);
        Assert.Equal([$".issues/{ids[6]}/issue.md"], incremental.Unreadable.Select(u => u.Path));
    }

    private static IEnumerable<string> Rows(IEnumerable<IssueSummary> issues) =>
        issues.Select(i => $"{i.Id} {i.Title} {i.Author} {i.Created:O} {i.State} [{string.Join(',', i.Labels)}] {i.CommentCount}");

    private static IssueIndex NewIndex(GitRepositoryPool pool) =>
        new(pool, Options.Create(new IssueLimits()), Options.Create(new IssuePageOptions()), NullLogger<IssueIndex>.Instance);

    private static string Write(TempGitRepo repo, string title, long created, string body)
    {
        var id = IssueId.Derive(Author, At(created).ToUnixTimeSeconds(), title);
        Write(repo, IssuePaths.IssueFileOf(id), IssueFormat.WriteIssue(title, Author, At(created), IssueState.Open, [], body));
        return id;
    }

    private static void Write(TempGitRepo repo, string path, string text)
    {
        var file = Path.Combine(repo.Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text, new UTF8Encoding(false));
    }

    private static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + seconds);
}
