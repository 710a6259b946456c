using GitTorrent.Cli.Issues;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Issues;

/// <summary>
/// <c>gittorrent issue list</c> builds each listing from the previous one (<see cref="IssueListingBuilder"/>): only
/// folders whose tree id changed are read. Whatever the change, the table and warnings equal those of a listing made
/// with no saved state; a damaged saved listing is ignored.
/// </summary>
public sealed class IssueListingTests
{
    [Fact]
    public async Task Each_listing_after_a_change_equals_one_made_from_scratch()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            cli.Clock.Now = cli.Clock.Now.AddMinutes(1);
            ids.Add(await cli.OkAsync("-C", repo.Root, "new", "--title", $"Issue {i}", "--body", "", "--label", i % 2 == 0 ? "bug" : "ui"));
        }
        await AssertSameAsFromScratchAsync(cli, repo, "four issues");

        var changes = new (string What, Func<Task> Make)[]
        {
            ("a comment", async () => await cli.OkAsync("-C", repo.Root, "comment", ids[1], "--body", "Seen here too.")),
            ("a close", async () => await cli.OkAsync("-C", repo.Root, "close", ids[0])),
            ("a new issue", async () => await cli.OkAsync("-C", repo.Root, "new", "--title", "Newest", "--body", "")),
            ("a commit that changes no issue", () =>
            {
                File.WriteAllText(Path.Combine(repo.Root, "README.md"), "# changed\n");
                repo.Git("commit", "-qam", "readme");
                return Task.CompletedTask;
            }),
            ("an unreadable folder", () =>
            {
                Directory.CreateDirectory(Path.Combine(repo.Root, ".issues", "not-an-id"));
                File.WriteAllText(Path.Combine(repo.Root, ".issues", "not-an-id", "issue.md"), "x\n");
                Directory.CreateDirectory(Path.Combine(repo.Root, ".issues", "0123456789ab"));
                File.WriteAllText(Path.Combine(repo.Root, ".issues", "0123456789ab", "issue.md"), "no front matter\n");
                repo.Git("add", ".issues");
                repo.Git("commit", "-qm", "bad folders");
                return Task.CompletedTask;
            }),
            ("a reopen", async () => await cli.OkAsync("-C", repo.Root, "reopen", ids[0])),
            ("going back three commits", () =>
            {
                repo.Git("reset", "-q", "--hard", "HEAD~3");
                return Task.CompletedTask;
            }),
        };
        foreach (var (what, make) in changes)
        {
            cli.Clock.Now = cli.Clock.Now.AddMinutes(1);
            await make();
            await AssertSameAsFromScratchAsync(cli, repo, what);
        }
    }

    [Fact]
    public async Task A_saved_row_whose_folder_did_not_change_is_reused_and_a_changed_one_is_read_again()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        var kept = await cli.OkAsync("-C", repo.Root, "new", "--title", "Kept", "--body", "");
        cli.Clock.Now = cli.Clock.Now.AddMinutes(1);
        var changed = await cli.OkAsync("-C", repo.Root, "new", "--title", "Changed", "--body", "");
        await cli.OkAsync("-C", repo.Root, "list");

        // Mark both saved rows; then change one issue in a new commit and list that commit.
        var saved = IssueListingFile.TryRead(repo.GitDir, 100)!;
        IssueListingFile.Write(repo.GitDir, saved with
        {
            Folders = [.. saved.Folders.Select(f => new ListedFolder(f.Name, f.Tree, f.CreatedTicks, f.State, f.Line + " (saved row)", f.Unreadable))],
        });
        await cli.OkAsync("-C", repo.Root, "comment", changed, "--body", "A comment.");
        var table = await cli.OkAsync("-C", repo.Root, "list");

        Assert.Contains($"{kept}  open    Kept (saved row)", table, StringComparison.Ordinal); // reused, not read
        Assert.Contains($"{changed}  open    Changed (1 comment)", table, StringComparison.Ordinal); // read again
        Assert.DoesNotContain($"Changed (saved row)", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_saved_listing_is_ignored()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        await cli.OkAsync("-C", repo.Root, "new", "--title", "First", "--body", "", "--label", "bug");
        cli.Clock.Now = cli.Clock.Now.AddMinutes(1);
        var second = await cli.OkAsync("-C", repo.Root, "new", "--title", "Second", "--body", "");
        var expected = await cli.RunAsync("-C", repo.Root, "list", "--state", "all");
        var path = Path.Combine(repo.GitDir, "gittorrent", "issues.list");
        var whole = File.ReadAllBytes(path);
        await cli.OkAsync("-C", repo.Root, "comment", second, "--body", "A comment.");
        File.Delete(path);
        var afterComment = await cli.RunAsync("-C", repo.Root, "list", "--state", "all");
        Assert.Contains("Second (1 comment)", afterComment.Out, StringComparison.Ordinal);

        // Cut inside the header, the first row and the last row; then a row kind and a state no version writes.
        var header = 4 + 4 + 20 + 20 + 4;
        var damaged = new List<byte[]> { whole[..6], whole[..(header + 5)], whole[..(whole.Length / 2)], whole[..^1] };
        var badKind = (byte[])whole.Clone();
        badKind[header + 1 + 12 + 20] = 9;
        damaged.Add(badKind);
        var badState = (byte[])whole.Clone();
        badState[header + 1 + 12 + 20 + 1 + 8] = 200;
        damaged.Add(badState);
        foreach (var bytes in damaged)
        {
            File.WriteAllBytes(path, bytes);
            Assert.Equal(afterComment, await cli.RunAsync("-C", repo.Root, "list", "--state", "all"));
        }
        Assert.NotEqual(expected.Out, afterComment.Out);
    }

    /// <summary>Lists HEAD with the saved state, then with none (both files removed), and compares everything printed.</summary>
    private static async Task AssertSameAsFromScratchAsync(IssueCli cli, TempGitRepo repo, string what)
    {
        foreach (var state in new[] { "all", "open", "closed" })
        {
            var incremental = await cli.RunAsync("-C", repo.Root, "list", "--state", state);
            var saved = Path.Combine(repo.GitDir, "gittorrent");
            var kept = Directory.Exists(saved) ? Directory.GetFiles(saved).ToDictionary(f => f, File.ReadAllBytes) : [];
            foreach (var file in kept.Keys)
            {
                File.Delete(file);
            }
            var scratch = await cli.RunAsync("-C", repo.Root, "list", "--state", state);
            Assert.True(scratch == incremental, $"after {what}, --state {state}: incremental {incremental} vs from scratch {scratch}");
            foreach (var (file, bytes) in kept)
            {
                File.WriteAllBytes(file, bytes); // the next listing starts from the saved state again
            }
        }
    }
}
