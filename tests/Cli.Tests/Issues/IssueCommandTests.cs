using System.Text.Json;
using GitTorrent.Engine.Issues;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Issues;

/// <summary>
/// <c>gittorrent issue</c> against real git repositories (issue acceptance, CLI): the commands round-trip, their JSON
/// parses, comments made on two branches merge cleanly, closing on a branch closes on merge, other staged changes are
/// left alone, and bad input is one line on stderr with exit code 1.
/// </summary>
public sealed class IssueCommandTests
{
    [Fact]
    public async Task New_comment_close_reopen_list_and_show_round_trip()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();

        var id = await cli.OkAsync("-C", repo.Root, "new", "--title", "Clone hangs behind a proxy", "--body", "Steps:\n\n1. clone", "--label", "bug", "--label", "network");
        var created = cli.Clock.Now;
        Assert.Equal(IssueId.Derive(Engine.Hash20.Parse(cli.UserId), created.ToUnixTimeSeconds(), "Clone hangs behind a proxy"), id);
        Assert.Equal($"issue {id}: Clone hangs behind a proxy", repo.Git("log", "-1", "--format=%s").Trim());
        Assert.Equal("Issue Tester <tester@example.invalid>", repo.Git("log", "-1", "--format=%an <%ae>").Trim());
        Assert.Equal(
            $"---\ntitle: Clone hangs behind a proxy\nauthor: {cli.UserId}\ncreated: 2026-12-04T10:00:00Z\nstate: open\nlabels: bug, network\n---\nSteps:\n\n1. clone\n",
            repo.Git("show", $"HEAD:.issues/{id}/issue.md"));

        cli.Clock.Now = created.AddMinutes(1);
        Assert.Equal(id, await cli.OkAsync("-C", repo.Root, "comment", id[..6], "--body", "Same here."));
        // A second comment in the same second by the same author takes the next free second: one file per comment.
        Assert.Equal(id, await cli.OkAsync("-C", repo.Root, "comment", id, "--body", "And again."));
        var comments = repo.Git("ls-tree", "--name-only", $"HEAD:.issues/{id}/comments").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stamp = created.AddMinutes(1).ToUnixTimeSeconds();
        Assert.Equal([$"{stamp}-{cli.UserId[..8]}.md", $"{stamp + 1}-{cli.UserId[..8]}.md"], comments);

        var other = await cli.OkAsync("-C", repo.Root, "new", "--title", "Second issue", "--body", "");
        Assert.Equal($"{other}  open    Second issue\n{id}  open    Clone hangs behind a proxy [bug, network] (2 comments)",
            await cli.OkAsync("-C", repo.Root, "list"));

        Assert.Equal(id, await cli.OkAsync("-C", repo.Root, "close", id, "--body", "Fixed by the proxy rewrite."));
        Assert.Equal($"issue {id}: close", repo.Git("log", "-1", "--format=%s").Trim());
        Assert.Equal(other, (await cli.OkAsync("-C", repo.Root, "list")).Split("  ")[0]);
        Assert.StartsWith($"{id}  closed", await cli.OkAsync("-C", repo.Root, "list", "--state", "closed"), StringComparison.Ordinal);
        Assert.Equal(2, (await cli.OkAsync("-C", repo.Root, "list", "--state", "all")).Split('\n').Length);

        var show = await cli.OkAsync("-C", repo.Root, "show", id);
        Assert.StartsWith($"issue {id}  closed\nTitle:   Clone hangs behind a proxy\nAuthor:  {cli.UserId}", show, StringComparison.Ordinal);
        Assert.Contains("    Same here.\n", show, StringComparison.Ordinal);
        Assert.Contains("    Fixed by the proxy rewrite.", show, StringComparison.Ordinal);

        Assert.Equal(id, await cli.OkAsync("-C", repo.Root, "reopen", id));
        Assert.Equal($"issue {id}: reopen", repo.Git("log", "-1", "--format=%s").Trim());
        Assert.Contains("state: open\n", repo.Git("show", $"HEAD:.issues/{id}/issue.md"), StringComparison.Ordinal);

        using (var list = JsonDocument.Parse(await cli.OkAsync("-C", repo.Root, "list", "--json", "--state", "all")))
        {
            var root = list.RootElement;
            Assert.Equal(repo.Git("rev-parse", "HEAD").Trim(), root.GetProperty("commit").GetString());
            var first = root.GetProperty("issues").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);
            Assert.Equal("open", first.GetProperty("state").GetString());
            Assert.Equal(3, first.GetProperty("comments").GetInt32());
            Assert.Equal(["bug", "network"], first.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(cli.UserId, first.GetProperty("author").GetString());
            Assert.Empty(root.GetProperty("unreadable").EnumerateArray());
        }
        using (var one = JsonDocument.Parse(await cli.OkAsync("-C", repo.Root, "show", id, "--json")))
        {
            Assert.Equal("Steps:\n\n1. clone\n", one.RootElement.GetProperty("body").GetString());
            Assert.Equal(["Same here.\n", "And again.\n", "Fixed by the proxy rewrite.\n"],
                one.RootElement.GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("body").GetString()));
        }

        // --ref reads another commit's tree: before the close, the issue had two comments.
        var before = repo.Git("rev-parse", "HEAD~2").Trim();
        Assert.Contains($"{id}  open    Clone hangs behind a proxy [bug, network] (2 comments)",
            await cli.OkAsync("-C", repo.Root, "list", "--ref", before), StringComparison.Ordinal);
        Assert.Equal("", repo.Git("status", "--porcelain"));
    }

    [Fact]
    public async Task Comments_on_two_branches_merge_without_conflict_and_closing_on_a_branch_closes_on_merge()
    {
        using var alice = new IssueCli();
        using var bob = new IssueCli();
        using var repo = IssueCli.NewRepository();
        var id = await alice.OkAsync("-C", repo.Root, "new", "--title", "Merge me", "--body", "body");

        repo.Git("checkout", "-q", "-b", "bob-branch");
        bob.Clock.Now = bob.Clock.Now.AddMinutes(5);
        await bob.OkAsync("-C", repo.Root, "comment", id, "--body", "Bob was here.");
        await bob.OkAsync("-C", repo.Root, "close", id);
        repo.Git("checkout", "-q", "main");
        alice.Clock.Now = alice.Clock.Now.AddMinutes(3);
        await alice.OkAsync("-C", repo.Root, "comment", id, "--body", "Alice was here.");

        repo.Git("merge", "-q", "--no-edit", "bob-branch");
        Assert.Equal("", repo.Git("diff", "--name-only", "--diff-filter=U"));
        using var merged = JsonDocument.Parse(await alice.OkAsync("-C", repo.Root, "show", id, "--json"));
        Assert.Equal("closed", merged.RootElement.GetProperty("state").GetString());
        Assert.Equal(["Alice was here.\n", "Bob was here.\n"],
            merged.RootElement.GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("body").GetString()));
        Assert.StartsWith($"{id}  closed", await alice.OkAsync("-C", repo.Root, "list", "--state", "closed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_staged_and_unstaged_changes_are_left_alone()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        File.WriteAllText(Path.Combine(repo.Root, "staged.txt"), "staged work\n");
        repo.Git("add", "staged.txt");
        File.WriteAllText(Path.Combine(repo.Root, "README.md"), "# project\nunstaged edit\n");
        var stagedBlob = repo.Git("rev-parse", ":staged.txt").Trim();

        var id = await cli.OkAsync("-C", Path.Combine(repo.Root), "new", "--title", "Do not touch my index", "--body", "please");
        await cli.OkAsync("-C", repo.Root, "comment", id, "--body", "noted");

        Assert.Equal($".issues/{id}/comments/{cli.Clock.Now.ToUnixTimeSeconds()}-{cli.UserId[..8]}.md",
            repo.Git("show", "--name-only", "--format=", "HEAD").Trim());
        Assert.Equal($".issues/{id}/issue.md", repo.Git("show", "--name-only", "--format=", "HEAD~1").Trim());
        Assert.Equal(" M README.md\nA  staged.txt\n", repo.Git("status", "--porcelain", "--untracked-files=no"));
        Assert.Equal(stagedBlob, repo.Git("rev-parse", ":staged.txt").Trim());
        Assert.Equal("# project\nunstaged edit\n", File.ReadAllText(Path.Combine(repo.Root, "README.md")));
        Assert.True(File.Exists(Path.Combine(repo.Root, ".issues", id, "issue.md")));
    }

    [Fact]
    public async Task A_damaged_summary_cache_is_ignored_and_the_listing_is_read_from_the_tree()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        var first = await cli.OkAsync("-C", repo.Root, "new", "--title", "First", "--body", "");
        cli.Clock.Now = cli.Clock.Now.AddMinutes(1);
        var second = await cli.OkAsync("-C", repo.Root, "new", "--title", "Second", "--body", "", "--label", "bug");
        var expected = await cli.OkAsync("-C", repo.Root, "list", "--json"); // --json reads the tree and writes the cache
        var cache = Path.Combine(repo.GitDir, "gittorrent", "issues.cache");
        var whole = File.ReadAllBytes(cache);

        // Cut inside the header, inside the first entry's tree id, inside the last entry; then one flipped kind byte.
        foreach (var length in new[] { 6, 14, whole.Length / 2, whole.Length - 1 })
        {
            File.WriteAllBytes(cache, whole[..length]);
            Assert.Equal(expected, await cli.OkAsync("-C", repo.Root, "list", "--json"));
        }
        var bad = (byte[])whole.Clone();
        bad[12 + 1 + first.Length + 20] = 7; // the kind byte of the first entry (header 12 bytes, 1-byte id length, id, tree; ids are all 12 characters)
        File.WriteAllBytes(cache, bad);
        Assert.Equal(expected, await cli.OkAsync("-C", repo.Root, "list", "--json"));
        Assert.Contains(second, expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_one_line_and_exit_code_1()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        using var notRepo = new TempDirectory("not-a-repo");
        var id = await cli.OkAsync("-C", repo.Root, "new", "--title", "Exists", "--body", "");

        Assert.Equal("gittorrent issue: no issue 0123456789ab at HEAD", await cli.FailsAsync("-C", repo.Root, "show", "0123456789ab"));
        Assert.Equal("gittorrent issue: no issue 0123", await cli.FailsAsync("-C", repo.Root, "comment", "0123", "--body", "x"));
        Assert.Equal("gittorrent issue: new needs a non-empty --title", await cli.FailsAsync("-C", repo.Root, "new", "--title", "  ", "--body", ""));
        Assert.Equal("gittorrent issue: new needs a non-empty --title", await cli.FailsAsync("-C", repo.Root, "new", "--body", ""));
        Assert.Equal($"gittorrent issue: not a git repository: {notRepo.Path}", await cli.FailsAsync("-C", notRepo.Path, "list"));
        Assert.Equal($"gittorrent issue: not a git repository: {notRepo.Path}", await cli.FailsAsync("-C", notRepo.Path, "new", "--title", "x", "--body", ""));
        Assert.Equal("gittorrent issue: empty comment: nothing was committed", await cli.FailsAsync("-C", repo.Root, "comment", id, "--body", " \n"));
        Assert.Equal($"gittorrent issue: issue {id} is already open", await cli.FailsAsync("-C", repo.Root, "reopen", id));
        Assert.Equal("gittorrent issue: unknown subcommand 'frob': use new, list, show, comment, close, reopen", await cli.FailsAsync("frob"));
        Assert.Equal("gittorrent issue: unknown ref 'nope'", await cli.FailsAsync("-C", repo.Root, "list", "--ref", "nope"));

        using (var nobody = new IssueCli(withIdentity: false))
        {
            Assert.Equal($"gittorrent issue: no identity in {nobody.Home}: run 'gittorrent keygen' first",
                await nobody.FailsAsync("-C", repo.Root, "new", "--title", "x", "--body", ""));
        }

        // A local edit of the issue file is not overwritten.
        File.AppendAllText(Path.Combine(repo.Root, ".issues", id, "issue.md"), "my notes\n");
        Assert.Equal($"gittorrent issue: .issues/{id}/issue.md has changes that are not committed: commit, stash or remove them first",
            await cli.FailsAsync("-C", repo.Root, "close", id));
        repo.Git("checkout", "--", ".");

        repo.Git("checkout", "-q", "--detach");
        Assert.Equal("gittorrent issue: HEAD is detached: check out a branch first (git switch <branch>)",
            await cli.FailsAsync("-C", repo.Root, "comment", id, "--body", "x"));
        repo.Git("checkout", "-q", "main");

        // A tree in conflict.
        repo.Git("checkout", "-q", "-b", "side");
        repo.Commit("README.md", "side\n");
        repo.Git("checkout", "-q", "main");
        repo.Commit("README.md", "main\n");
        TempGitRepoExtensions.TryGit(repo, "merge", "side");
        Assert.Equal("gittorrent issue: a merge is in progress: finish or abort it first", await cli.FailsAsync("-C", repo.Root, "close", id));
        File.Delete(Path.Combine(repo.GitDir, "MERGE_HEAD"));
        Assert.Equal("gittorrent issue: the working tree has unresolved conflicts (see git status): resolve them first",
            await cli.FailsAsync("-C", repo.Root, "close", id));
        Assert.Equal(repo.Git("rev-parse", "main").Trim(), repo.Git("rev-parse", "HEAD").Trim());
    }
}
