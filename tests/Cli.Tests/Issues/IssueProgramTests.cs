using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Issues;

/// <summary>The real <c>gittorrent issue</c> process: bodies from the editor git would start and from standard input.</summary>
public sealed class IssueProgramTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Gittorrent => RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");

    [Fact]
    public async Task Bodies_come_from_the_editor_like_git_commit_and_from_stdin()
    {
        using var cli = new IssueCli();
        using var repo = IssueCli.NewRepository();
        using var scripts = new TempDirectory("issue-editor");
        var editor = Path.Combine(scripts.Path, "edit.sh");
        // Writes a Markdown heading above git's template, as a user would; everything from the scissors down is dropped.
        File.WriteAllText(editor, "#!/bin/sh\n{ printf '# Heading\\n\\nWritten in the editor.\\n'; cat \"$1\"; } > \"$1.new\" && mv \"$1.new\" \"$1\"\n");
        TempGitRepoExtensions.MakeExecutable(editor);
        var env = new Dictionary<string, string?> { ["GITTORRENT_HOME"] = cli.Home, ["GIT_EDITOR"] = editor, ["EDITOR"] = null, ["VISUAL"] = null };

        var made = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "issue", "-C", repo.Root, "new", "--title", "From the editor"], Timeout, env);
        Assert.True(made.ExitCode == 0, made.Describe());
        var id = Assert.Single(made.StandardOutput);
        Assert.EndsWith("---\n# Heading\n\nWritten in the editor.\n", repo.Git("show", $"HEAD:.issues/{id}/issue.md"), StringComparison.Ordinal);

        var failing = new Dictionary<string, string?>(env) { ["GIT_EDITOR"] = "false" };
        var refused = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "issue", "-C", repo.Root, "comment", id], Timeout, failing);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(["gittorrent issue: the editor 'false' exited with 1; nothing was committed"], refused.StandardError);

        var piped = await ProcessRunner.RunAsync("sh", ["-c", "printf 'piped comment\\n' | dotnet \"$0\" issue -C \"$1\" comment \"$2\" --body-file -",
            Gittorrent, repo.Root, id], Timeout, env);
        Assert.True(piped.ExitCode == 0, piped.Describe());
        Assert.Contains("\n+piped comment\n", repo.Git("show", "HEAD"), StringComparison.Ordinal);
        var list = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "issue", "-C", repo.Root, "list"], Timeout, env);
        Assert.Equal([$"{id}  open    From the editor (1 comment)"], list.StandardOutput);

        var help = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "issue", "--help"], Timeout, env);
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("usage: gittorrent issue new --title T", help.StandardOutput[0], StringComparison.Ordinal);
    }
}
