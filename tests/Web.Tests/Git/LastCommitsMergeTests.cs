using System.Diagnostics;
using GitTorrent.Engine.Git;
using GitTorrent.TestSupport;
using GitTorrent.Web.Git;
using GitTorrent.Web.Rendering;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// The tree's last-commit column on a repository with merges that touch files on both sides (a side change the
/// merge dropped, a change made on both sides, a change reverted on the side, a conflict resolved by hand, a mode
/// change, an octopus, a file deleted and added back): for every commit and every directory, each entry's commit is
/// the one <c>git log -1 --format=%H &lt;commit&gt; -- &lt;entry&gt;</c> names, and the directory's own is the one
/// <c>git log -1 -- &lt;directory&gt;</c> names. A walk stopped by its timeout is not cached.
/// </summary>
public sealed class LastCommitsMergeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempGitRepo repo = new();
    private long clock = 1_700_000_000;

    public void Dispose() => repo.Dispose();

    [Fact]
    public async Task EveryEntryOfEveryCommitAgreesWithGitLog()
    {
        BuildMergeHistory();
        using var pool = new GitRepositoryPool();
        var browser = NewBrowser(pool, new BrowseCache(Options()), TimeSpan.FromSeconds(30), out _);
        var commits = Git("rev-list", "--all").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(commits.Length >= 20, $"{commits.Length} commits");
        var compared = 0;
        foreach (var commit in commits)
        {
            foreach (var directory in new[] { "", "dir" })
            {
                var entries = Git("ls-tree", "--name-only", commit, directory.Length == 0 ? "." : directory + "/")
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => p[(p.LastIndexOf('/') + 1)..]).ToList();
                if (entries.Count == 0)
                {
                    continue;
                }

                var column = await browser.LastCommitsAsync(repo.Root, commit, directory, null, CancellationToken.None).WaitAsync(Timeout);
                Assert.Equal(GitWorkStop.None, column.Stop);
                foreach (var name in entries)
                {
                    var entryPath = directory.Length == 0 ? name : $"{directory}/{name}";
                    var expected = Git("log", "-1", "--format=%H", commit, "--", entryPath).Trim();
                    Assert.True(column.ByName.TryGetValue(name, out var shown), $"{entryPath} at {commit[..8]}: no commit shown");
                    Assert.True(expected == shown!.Id, $"{entryPath} at {commit[..8]}: git log -1 says {expected[..8]} ({Subject(expected)}), the column {shown.Id[..8]} ({shown.Subject})");
                    compared++;
                }

                var latest = Git("log", "-1", "--format=%H", commit, "--", directory.Length == 0 ? "." : directory).Trim();
                Assert.Equal(latest, column.Latest?.Id);
            }
        }

        Assert.True(compared > 100, $"{compared} entries compared");
    }

    [Fact]
    public async Task AWalkStoppedByItsTimeoutIsNotCached()
    {
        BuildMergeHistory();
        var head = Git("rev-parse", "HEAD").Trim();
        using var pool = new GitRepositoryPool();
        var cache = new BrowseCache(Options());
        var hurried = NewBrowser(pool, cache, TimeSpan.Zero, out var statistics);
        var stopped = await hurried.LastCommitsAsync(repo.Root, head, "", null, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(GitWorkStop.TimedOut, stopped.Stop);
        Assert.Equal(1, statistics.GitWorkTimedOut);
        Assert.Null(hurried.CachedLastCommits(repo.Root, head, ""));

        var patient = NewBrowser(pool, cache, TimeSpan.FromSeconds(30), out _);
        var column = await patient.LastCommitsAsync(repo.Root, head, "", null, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(GitWorkStop.None, column.Stop);
        Assert.Equal(Git("log", "-1", "--format=%H", head, "--", "a.txt").Trim(), column.ByName["a.txt"].Id);
        Assert.Same(column, patient.CachedLastCommits(repo.Root, head, ""));
    }

    /// <summary>
    /// main and side branches whose merges git simplifies differently from "the newest commit that changed the entry
    /// anywhere": committer dates make each side branch newer than main's commits, so a walk in date order meets the
    /// side commits first.
    /// </summary>
    private void BuildMergeHistory()
    {
        repo.Git("config", "core.fileMode", "false"); // modes come from update-index --chmod only
        Directory.CreateDirectory(Path.Combine(repo.Root, "dir"));
        foreach (var name in new[] { "a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.sh", "dir/x.txt", "dir/y.txt", "dir/z.txt" })
        {
            Write(name, $"{name} first\n");
        }

        Commit("first: every file");

        // 1. The side changes a.txt, the merge keeps main's (-s ours): git follows main, the side commit never shows.
        Branch("side1");
        Write("a.txt", "a from side1\n");
        Commit("side1: change a");
        Checkout("main");
        Write("b.txt", "b on main\n");
        Commit("main: change b");
        Merge("-s", "ours", "side1");

        // 2. The same change on both sides: the merge is TREESAME to both, git follows the first parent.
        Branch("side2");
        Checkout("main");
        Write("c.txt", "c agreed\n");
        Commit("main: change c");
        Checkout("side2");
        Write("c.txt", "c agreed\n");
        Commit("side2: the same change to c");
        Write("dir/x.txt", "x from side2\n");
        Commit("side2: change dir/x");
        Checkout("main");
        Write("dir/y.txt", "y on main\n");
        Commit("main: change dir/y");
        Merge("side2");

        // 3. The side changes d.txt and reverts it: the merge takes nothing from the side for d.
        Branch("side3");
        Write("d.txt", "d for a while\n");
        Commit("side3: change d");
        Write("d.txt", "d.txt first\n");
        Commit("side3: revert d");
        Write("e.txt", "e from side3\n");
        Commit("side3: change e");
        Checkout("main");
        Write("b.txt", "b again on main\n");
        Commit("main: change b again");
        Merge("side3");

        // 4. A conflict resolved by hand: a.txt differs from both parents, the merge itself is the answer.
        Branch("side4");
        Write("a.txt", "a from side4\n");
        Write("dir/z.txt", "z from side4\n");
        Commit("side4: change a and dir/z");
        Checkout("main");
        Write("a.txt", "a on main\n");
        Commit("main: change a");
        Merge("--no-commit", "-X", "ours", "side4");
        Write("a.txt", "a resolved by hand\n");
        Commit("merge side4 with a resolved by hand");

        // 5. A mode change only, then an octopus of three branches, one of which changes the mode back.
        repo.Git("update-index", "--chmod=+x", "f.sh");
        Commit("make f.sh executable");
        Branch("octo1");
        Write("b.txt", "b from octo1\n");
        Commit("octo1: change b");
        Checkout("main");
        Branch("octo2");
        Write("dir/y.txt", "y from octo2\n");
        Commit("octo2: change dir/y");
        Checkout("main");
        Branch("octo3");
        repo.Git("update-index", "--chmod=-x", "f.sh");
        Write("e.txt", "e from octo3\n");
        Commit("octo3: f.sh not executable, change e");
        Checkout("main");
        Merge("octo1", "octo2", "octo3");

        // 6. A file deleted and added back with the same content, and a late side change merged normally.
        repo.Git("rm", "-q", "c.txt");
        Commit("delete c");
        Write("c.txt", "c agreed\n");
        Commit("add c back");
        Branch("side5");
        Write("dir/x.txt", "x from side5\n");
        Commit("side5: change dir/x");
        Checkout("main");
        Merge("side5");
    }

    private GitBrowser NewBrowser(GitRepositoryPool pool, BrowseCache cache, TimeSpan timeout, out BrowseStatistics statistics)
    {
        statistics = new BrowseStatistics(NullLogger<BrowseStatistics>.Instance, TimeProvider.System);
        var options = Options(timeout);
        return new GitBrowser(pool, new SyntaxHighlighter(), cache, new GitWorkGate(options, statistics), options);
    }

    private static IOptions<BrowseOptions> Options(TimeSpan? timeout = null) =>
        Microsoft.Extensions.Options.Options.Create(new BrowseOptions { GitCommandTimeout = timeout ?? TimeSpan.FromSeconds(30) });

    private void Write(string path, string text) => File.WriteAllText(Path.Combine(repo.Root, path), text);

    private void Branch(string name) => repo.Git("checkout", "-q", "-b", name);

    private void Checkout(string name) => repo.Git("checkout", "-q", name);

    private void Commit(string message)
    {
        repo.Git("add", "-A");
        Dated("commit", "-q", "-m", message);
    }

    private void Merge(params string[] arguments) => Dated(["merge", "-q", "--no-ff", "--no-edit", .. arguments]);

    /// <summary>git with author and committer dates one minute apart per call, so the order of commits is certain.</summary>
    private void Dated(params string[] arguments)
    {
        clock += 60;
        var start = GitRunner.CreateStartInfo(repo.Root, ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", .. arguments]);
        start.Environment["GIT_AUTHOR_DATE"] = $"@{clock} +0000";
        start.Environment["GIT_COMMITTER_DATE"] = $"@{clock} +0000";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"git {string.Join(' ', arguments)} did not finish");
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error.Result}");
    }

    private string Subject(string commit) => Git("log", "-1", "--format=%s", commit).Trim();

    private string Git(params string[] arguments) => repo.Git(arguments);
}
