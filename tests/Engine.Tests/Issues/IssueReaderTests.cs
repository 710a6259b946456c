using System.Text;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Issues;

/// <summary>
/// <see cref="IssueReader"/> over a real repository read with the engine's <see cref="GitObjectReader"/>: good issues are listed newest
/// first, every hostile file is reported unreadable with its path, the bounds hold, and the summary cache makes a
/// listing after a one-issue change read one folder.
/// </summary>
public sealed class IssueReaderTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Hash20 Author = Hash20.Parse(string.Concat(Enumerable.Repeat("ab12", 10)));
    private readonly TempGitRepo repo = new();

    public void Dispose() => repo.Dispose();

    [Fact]
    public async Task Issues_are_listed_newest_first_and_every_hostile_file_is_unreadable_with_its_path()
    {
        var older = Write("Older issue", 100, IssueState.Open, "first");
        var newer = Write("Newer issue", 200, IssueState.Closed, "second");
        WriteFile($".issues/{older}/comments/{100}-ab12ab12.md", IssueFormat.WriteComment(Author, At(150), "a comment"));
        WriteFile($".issues/{older}/comments/{101}-ab12ab12.md", IssueFormat.WriteComment(Author, At(140), "earlier comment"));
        WriteFile($".issues/{older}/comments/notes.txt", "not a comment");
        WriteFile($".issues/{older}/comments/{102}-ab12ab12.md", "---\nauthor: nobody\n---\n");
        WriteFile(".issues/aaaaaaaaaaaa/issue.md", $"---\ntitle: {new string('A', 1_000_000)}\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n");
        WriteFile(".issues/bbbbbbbbbbbb/issue.md", $"---\ntitle: x\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: <script>alert(1)</script>\n---\n");
        WriteFile(".issues/cccccccccccc/issue.md", "---\ntitle: only a title\n---\n");
        WriteFile(".issues/dddddddddddd/issue.md", "");
        File.WriteAllBytes(Path.Combine(repo.Root, ".issues/dddddddddddd/issue.md"), [0x2d, 0x2d, 0x2d, 0x0a, 0, 1, 2, 0xff]);
        WriteFile(".issues/eeeeeeeeeeee/comments/1-ab12ab12.md", IssueFormat.WriteComment(Author, At(1), "no issue.md"));
        WriteFile(".issues/Not-An-Id/issue.md", IssueFormat.WriteIssue("x", Author, At(1), IssueState.Open, [], ""));
        WriteFile(".issues/README.md", "files beside the folders are ignored\n");
        repo.Commit();

        using var objects = GitObjectReader.Open(repo.GitDir);
        var objectSource = new ObjectReaderIssueSource(objects);
        var reader = new IssueReader(objectSource, new IssueLimits());
        var listing = await reader.ListAsync(IssuesTree(objectSource), null, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal([newer, older], listing.Issues.Select(i => i.Id));
        Assert.Equal(IssueState.Closed, listing.Issues[0].State);
        Assert.Equal(3, listing.Issues[1].CommentCount);
        Assert.Equal(
            [
                (".issues/Not-An-Id", "not an issue folder: the name is not 12 lowercase hex digits"),
                (".issues/aaaaaaaaaaaa/issue.md", "larger than 262144 bytes"),
                (".issues/bbbbbbbbbbbb/issue.md", "state is neither open nor closed"),
                (".issues/cccccccccccc/issue.md", "missing author"),
                (".issues/dddddddddddd/issue.md", "binary (contains NUL bytes)"),
                (".issues/eeeeeeeeeeee/issue.md", "missing"),
            ],
            listing.Unreadable.Select(u => (u.Path, u.Reason)));
        Assert.False(listing.Truncated);

        var folder = IssueReader.Find(IssuesTree(objectSource), older[..6], out var error);
        Assert.NotNull(folder);
        var detail = await reader.ReadAsync(older, folder.Id, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal("first\n", detail.Document!.Body);
        Assert.Equal(["earlier comment\n", "a comment\n"], detail.Comments.Select(c => c.Body));
        Assert.Equal(
            [
                ($".issues/{older}/comments/notes.txt", "not a comment file: the name is not <created>-<8 hex>.md"),
                ($".issues/{older}/comments/102-ab12ab12.md", "author is not a 40-hex user id"),
            ],
            detail.Unreadable.Select(u => (u.Path, u.Reason)));
    }

    [Fact]
    public async Task Bounds_on_issues_and_comments_hold()
    {
        var id = Write("Busy issue", 1, IssueState.Open, "");
        for (var i = 0; i < 12; i++)
        {
            WriteFile($".issues/{id}/comments/{10 + i}-ab12ab12.md", IssueFormat.WriteComment(Author, At(10 + i), $"comment {i}"));
        }
        for (var i = 0; i < 5; i++)
        {
            Write($"Filler {i}", 100 + i, IssueState.Open, "");
        }
        repo.Commit();
        using var objects = GitObjectReader.Open(repo.GitDir);
        var objectSource = new ObjectReaderIssueSource(objects);
        var limits = new IssueLimits { MaxIssues = 4, MaxCommentsPerIssue = 5 };
        var reader = new IssueReader(objectSource, limits);
        var tree = IssuesTree(objectSource);

        var listing = await reader.ListAsync(tree, null, CancellationToken.None).WaitAsync(Timeout);
        Assert.True(listing.Truncated);
        Assert.Equal(4, listing.Issues.Count);

        var folder = IssueReader.Find(tree, id, out _)!;
        var detail = await reader.ReadAsync(id, folder.Id, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(["comment 0\n", "comment 1\n", "comment 2\n", "comment 3\n", "comment 4\n"], detail.Comments.Select(c => c.Body));
        Assert.Equal(7, detail.CommentsNotShown);
    }

    [Fact]
    public async Task With_a_cache_a_commit_that_changes_one_issue_reads_one_folder()
    {
        var ids = Enumerable.Range(0, 20).Select(i => Write($"Issue {i}", i, IssueState.Open, "")).ToList();
        repo.Commit();
        using var objects = GitObjectReader.Open(repo.GitDir);
        var objectSource = new ObjectReaderIssueSource(objects);
        var source = new CountingSource(objectSource);
        var cache = new DictionaryCache();
        var reader = new IssueReader(source, new IssueLimits());
        var first = await reader.ListAsync(IssuesTree(objectSource), cache, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(20, first.Issues.Count);
        Assert.Equal(20, source.FolderTreesRead);

        WriteFile($".issues/{ids[7]}/comments/50-ab12ab12.md", IssueFormat.WriteComment(Author, At(50), "new"));
        repo.Commit();
        source.FolderTreesRead = 0;
        var second = await reader.ListAsync(IssuesTree(objectSource), cache, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(1, source.FolderTreesRead);
        Assert.Equal(1, second.Issues.Single(i => i.Id == ids[7]).CommentCount);
    }

    [Fact]
    public async Task Trees_parse_as_git_lists_them()
    {
        Write("Tree test", 1, IssueState.Open, "");
        File.WriteAllText(Path.Combine(repo.Root, "run.sh"), "#!/bin/sh\n");
        repo.Git("update-index", "--add", "--chmod=+x", "run.sh");
        repo.Commit();
        using var objects = GitObjectReader.Open(repo.GitDir);
        var objectSource = new ObjectReaderIssueSource(objects);
        var entries = objectSource.ReadTree(Hash20.Parse(repo.Git("rev-parse", "HEAD^{tree}").Trim()));
        Assert.NotNull(entries);
        var expected = repo.Git("ls-tree", "HEAD").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => (l[(l.IndexOf('\t') + 1)..], l.Split(' ', '\t')[2], l.Split(' ')[1]));
        Assert.Equal(expected, entries.Select(e => (e.Name, e.Id.ToString(), e.Kind == GitTreeEntryKind.Tree ? "tree" : "blob")));
        Assert.False(GitTree.TryParse("100644 name"u8, out _));
    }

    private string Write(string title, long created, IssueState state, string body)
    {
        var id = IssueId.Derive(Author, created, title);
        WriteFile(IssuePaths.IssueFileOf(id), IssueFormat.WriteIssue(title, Author, At(created), state, [], body));
        return id;
    }

    private void WriteFile(string path, string text)
    {
        var file = Path.Combine(repo.Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text, new UTF8Encoding(false));
    }

    private static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + seconds);

    private IReadOnlyList<GitTreeEntry> IssuesTree(ObjectReaderIssueSource source) =>
        source.IssuesTreeOf(Hash20.Parse(repo.Git("rev-parse", "HEAD").Trim()))!.Value.Entries;

    private sealed class CountingSource(IIssueObjectSource inner) : IIssueObjectSource
    {
        private bool _firstLevel = true;

        public int FolderTreesRead { get; set; }

        public async Task<IReadOnlyDictionary<Hash20, IReadOnlyList<GitTreeEntry>>> ReadTreesAsync(IReadOnlyCollection<Hash20> ids, CancellationToken cancellationToken)
        {
            // SummarizeAsync reads folder trees, then comment trees: count only the first of each pair.
            if (_firstLevel)
            {
                FolderTreesRead += ids.Count;
            }
            _firstLevel = !_firstLevel;
            return await inner.ReadTreesAsync(ids, cancellationToken);
        }

        public Task<IReadOnlyDictionary<Hash20, IssueBlob>> ReadBlobsAsync(IReadOnlyCollection<Hash20> ids, int maxBytes, CancellationToken cancellationToken) =>
            inner.ReadBlobsAsync(ids, maxBytes, cancellationToken);
    }

    private sealed class DictionaryCache : IIssueSummaryCache
    {
        private readonly Dictionary<(string, Hash20), IssueFolderSummary> entries = [];

        public bool TryGet(string id, Hash20 tree, out IssueFolderSummary summary) => entries.TryGetValue((id, tree), out summary!);

        public void Set(string id, Hash20 tree, IssueFolderSummary summary) => entries[(id, tree)] = summary;
    }
}
