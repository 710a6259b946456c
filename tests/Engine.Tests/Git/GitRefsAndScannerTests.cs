using GitTorrent.Engine.Git;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Git;

public sealed class GitRefsAndScannerTests
{
    [Fact]
    public async Task Refs_include_head_branches_and_peeled_annotated_tags()
    {
        using var repo = new TempGitRepo();
        var first = repo.Commit();
        repo.Git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "tag", "-a", "-m", "release", "v1");
        repo.Git("tag", "light");
        var second = repo.Commit();
        repo.Git("branch", "feature", first.ToString());
        var tree = repo.Git("rev-parse", "HEAD^{tree}").Trim();
        repo.Git("tag", "treetag", tree);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var refs = await GitRefs.ReadAsync(repo.Root, cts.Token);

        Assert.Equal(second, refs["HEAD"]);
        Assert.Equal(second, refs["refs/heads/main"]);
        Assert.Equal(first, refs["refs/heads/feature"]);
        Assert.Equal(first, refs["refs/tags/v1"]);
        Assert.Equal(first, refs["refs/tags/light"]);
        Assert.False(refs.ContainsKey("refs/tags/treetag"));
        Assert.Equal("refs/heads/main", await GitRefs.ReadHeadTargetAsync(repo.Root, cts.Token));
    }

    [Fact]
    public async Task An_empty_repository_has_no_refs()
    {
        using var repo = new TempGitRepo(bare: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Empty(await GitRefs.ReadAsync(repo.Root, cts.Token));
    }

    [Fact]
    public void Scanner_names_repositories_by_their_path_without_git_suffix()
    {
        var root = Path.Combine(Path.GetTempPath(), "gt-scan-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var bare = new TempGitRepo(bare: true, path: Path.Combine(root, "foo.git"));
            using var work = new TempGitRepo(path: Path.Combine(root, "bar"));
            using var nested = new TempGitRepo(bare: true, path: Path.Combine(root, "group", "baz.git"));
            using var hostile = new TempGitRepo(bare: true, path: Path.Combine(root, "bad name<script>"));
            Directory.CreateDirectory(Path.Combine(root, "not-a-repo", "deeper"));

            var skipped = new List<string>();
            var repos = RepositoryScanner.Scan(root, skipped.Add);

            Assert.Equal(["bar", "foo", "group/baz"], repos.Select(r => r.Name));
            Assert.Equal(Path.Combine(root, "bar", ".git"), repos[0].Path);
            Assert.Equal(Path.Combine(root, "foo.git"), repos[1].Path);
            Assert.Contains("bad name<script>", skipped);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("recursers", true)]
    [InlineData("org/project.js", true)]
    [InlineData("../etc", false)]
    [InlineData(".hidden", false)]
    [InlineData("a//b", false)]
    [InlineData("name.lock", false)]
    [InlineData("", false)]
    [InlineData("with space", false)]
    public void Repository_name_validation(string name, bool valid) => Assert.Equal(valid, RepositoryScanner.IsValidName(name));
}
