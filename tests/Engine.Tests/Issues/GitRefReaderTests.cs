using GitTorrent.Engine.Git;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Issues;

/// <summary><see cref="GitRefReader"/> and <see cref="GitDirectoryLocator"/> agree with git on loose, packed and symbolic refs.</summary>
public sealed class GitRefReaderTests
{
    [Fact]
    public void Refs_resolve_as_git_resolves_them()
    {
        using var repo = new TempGitRepo();
        var first = repo.Commit().ToString();
        repo.Git("tag", "v1");
        repo.Git("branch", "packed");
        repo.Git("pack-refs", "--all");
        var second = repo.Commit().ToString();
        repo.Git("symbolic-ref", "refs/heads/alias", "refs/heads/main");
        var sub = Path.Combine(repo.Root, "a", "b");
        Directory.CreateDirectory(sub);

        var gitDir = GitDirectoryLocator.Find(sub);
        Assert.Equal(repo.GitDir, gitDir);
        Assert.Equal(second, GitRefReader.TryResolve(gitDir!, "HEAD").ToString());
        Assert.Equal(second, GitRefReader.TryResolve(gitDir!, "main").ToString());
        Assert.Equal(second, GitRefReader.TryResolve(gitDir!, "refs/heads/alias").ToString());
        Assert.Equal(first, GitRefReader.TryResolve(gitDir!, "packed").ToString());
        Assert.Equal(first, GitRefReader.TryResolve(gitDir!, "v1").ToString());
        Assert.Equal(first, GitRefReader.TryResolve(gitDir!, first).ToString());
        Assert.Null(GitRefReader.TryResolve(gitDir!, "HEAD~1"));
        Assert.Null(GitRefReader.TryResolve(gitDir!, "../../etc/passwd"));
        Assert.Null(GitRefReader.TryResolve(gitDir!, "missing"));

        // A linked worktree: HEAD of its own, refs of the common directory.
        var linked = Path.Combine(Path.GetTempPath(), "gt-wt-" + Guid.NewGuid().ToString("N"));
        repo.Git("worktree", "add", "-q", "-b", "other", linked, first);
        try
        {
            var linkedDir = GitDirectoryLocator.Find(linked);
            Assert.NotNull(linkedDir);
            Assert.Equal(first, GitRefReader.TryResolve(linkedDir, "HEAD").ToString());
            Assert.Equal(second, GitRefReader.TryResolve(linkedDir, "main").ToString());
        }
        finally
        {
            Directory.Delete(linked, recursive: true);
        }
        Assert.Null(GitDirectoryLocator.Find(Path.GetTempPath()));
    }
}
