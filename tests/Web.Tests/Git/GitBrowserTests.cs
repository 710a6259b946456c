using GitTorrent.TestSupport;
using GitTorrent.Web.Git;
using GitTorrent.Web.Rendering;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// <see cref="GitBrowser"/> on a real repository: tree order, how a file is shown (text, binary, too large, image),
/// ref resolution by URL segments (longest branch name first, tags, full ids only), and paths or refs that name
/// nothing (including traversal) answered with null rather than an exception.
/// </summary>
public sealed class GitBrowserTests : IDisposable
{
    private readonly TempGitRepo _repo = new();

    [Fact]
    public void Trees_list_directories_first_then_files_in_ordinal_order_with_sizes()
    {
        Write("b.txt", "bee\n");
        Write("A.txt", "a\n");
        Write("zdir/inner.txt", "inner\n");
        Write("adir/x.txt", "x\n");
        var commit = Commit();

        var entries = Browser().ListTree(_repo.GitDir, commit, "")!;

        Assert.Equal(["adir", "zdir", "A.txt", "README.md", "b.txt"], entries.Select(e => e.Name));
        Assert.Equal([TreeEntryKind.Directory, TreeEntryKind.Directory, TreeEntryKind.File, TreeEntryKind.File, TreeEntryKind.File],
            entries.Select(e => e.Kind));
        Assert.Equal(4, entries.Single(e => e.Name == "b.txt").Size);
        Assert.Equal("zdir/inner.txt", Assert.Single(Browser().ListTree(_repo.GitDir, commit, "zdir")!).Path);
        Assert.Null(Browser().ListTree(_repo.GitDir, commit, "b.txt")); // a file is not a directory
        Assert.Null(Browser().ListTree(_repo.GitDir, commit, "no-such-dir"));
    }

    [Fact]
    public void Files_show_as_text_binary_too_large_or_image_by_content_and_size()
    {
        Write("code.cs", "class A { }\n// <script>alert(1)</script>\n");
        WriteBytes("data.bin", [0, 1, 2, 0, 255, 0]);
        Write("big.txt", new string('x', 5000) + "\n");
        WriteBytes("logo.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0]);
        var commit = Commit();
        var browser = Browser(new BrowseOptions { MaxRenderBytes = 4096 });

        var code = browser.ReadBlob(_repo.GitDir, commit, "code.cs")!;
        Assert.Equal(BlobDisplay.Text, code.Display);
        Assert.Equal(2, code.LineCount);
        Assert.DoesNotContain("<script>", code.Html, StringComparison.Ordinal); // escaped, never markup
        Assert.Contains("&lt;script&gt;", code.Html, StringComparison.Ordinal);
        Assert.Equal(BlobDisplay.Binary, browser.ReadBlob(_repo.GitDir, commit, "data.bin")!.Display);
        var big = browser.ReadBlob(_repo.GitDir, commit, "big.txt")!;
        Assert.Equal(BlobDisplay.TooLarge, big.Display);
        Assert.Equal(5001, big.Size);
        Assert.Null(big.Html);
        Assert.Equal(BlobDisplay.Image, browser.ReadBlob(_repo.GitDir, commit, "logo.png")!.Display);
        Assert.Null(browser.ReadBlob(_repo.GitDir, commit, "missing.txt"));
        Assert.Null(browser.ReadBlob(_repo.GitDir, commit, "adir")); // not a file
    }

    [Fact]
    public void Refs_resolve_by_the_longest_branch_then_tags_then_full_commit_ids()
    {
        var first = Commit();
        _repo.Git("branch", "feature/x");
        _repo.Git("branch", "feat");
        _repo.Git("tag", "v1.0");
        Write("later.txt", "later\n");
        var second = Commit();
        var browser = Browser();

        var nested = browser.Resolve(_repo.GitDir, ["feature", "x", "src", "a.cs"])!;
        Assert.Equal(("feature/x", first), (nested.Name, nested.CommitId));
        Assert.Equal(["src", "a.cs"], nested.Path);
        Assert.Equal(("v1.0", first), (browser.Resolve(_repo.GitDir, ["v1.0"])!.Name, browser.Resolve(_repo.GitDir, ["v1.0"])!.CommitId));
        Assert.Equal(second, browser.Resolve(_repo.GitDir, ["main"])!.CommitId);
        Assert.Equal(first, browser.Resolve(_repo.GitDir, [first, "README.md"])!.CommitId);
        Assert.Null(browser.Resolve(_repo.GitDir, [first[..12]])); // abbreviated ids are not refs
        Assert.Null(browser.Resolve(_repo.GitDir, ["no-such-branch"]));
        Assert.Null(browser.Resolve(_repo.GitDir, []));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("adir/../../README.md")]
    [InlineData("adir//x.txt")]
    [InlineData(".git/config")]
    public void Paths_outside_the_tree_name_nothing(string path)
    {
        Write("adir/x.txt", "x\n");
        var commit = Commit();
        var browser = Browser();

        Assert.Null(browser.ReadBlob(_repo.GitDir, commit, path));
        Assert.Null(browser.KindOf(_repo.GitDir, commit, path));
        Assert.Null(browser.ReadText(_repo.GitDir, commit, path, 1024));
    }

    public void Dispose() => _repo.Dispose();

    private void Write(string path, string text) => WriteBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    private void WriteBytes(string path, byte[] bytes)
    {
        var full = Path.Combine(_repo.Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        _repo.Git("add", "--", path);
    }

    private int _commits;

    /// <summary>Commits what was written, with a README.md whose text changes each time.</summary>
    private string Commit() => _repo.Commit("README.md", $"# readme {++_commits}\n").ToString();

    private static GitBrowser Browser(BrowseOptions? limits = null)
    {
        var options = Options.Create(limits ?? new BrowseOptions());
        var statistics = new BrowseStatistics(NullLogger<BrowseStatistics>.Instance, TimeProvider.System);
        return new GitBrowser(new GitRepositoryPool(), new SyntaxHighlighter(), new BrowseCache(options), new GitWorkGate(options, statistics), options);
    }
}
