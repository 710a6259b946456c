using GitTorrent.TestSupport;
using GitTorrent.Web.Git;
using GitTorrent.Web.Rendering;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// The repository header's description: git's <c>description</c> file of the store repository when someone wrote
/// one, else the README's first paragraph; git's placeholder, an empty file and an oversized file do not count.
/// </summary>
public sealed class RepositoryDescriptionTests : IDisposable
{
    private readonly TempGitRepo _repo = new();

    [Fact]
    public void The_description_file_wins_over_the_readme_and_the_placeholder_does_not()
    {
        File.WriteAllText(Path.Combine(_repo.Root, "README.md"), "# Title\n\nFrom the README.\n\nMore.\n");
        _repo.Git("add", "README.md");
        var commit = _repo.Commit().ToString();
        var description = Path.Combine(_repo.GitDir, "description");

        File.WriteAllText(description, "Unnamed repository; edit this file 'description' to name the repository.\n");
        Assert.Equal("From the README.", NewBrowser().Description(_repo.GitDir, commit));

        File.WriteAllText(description, new string('x', GitBrowser.MaxDescriptionBytes + 1));
        Assert.Equal("From the README.", NewBrowser().Description(_repo.GitDir, commit));

        File.WriteAllText(description, "A pure C implementation\nof the Git core methods.\n");
        Assert.Equal("A pure C implementation of the Git core methods.", NewBrowser().Description(_repo.GitDir, commit));
    }

    private static GitBrowser NewBrowser()
    {
        var options = Options.Create(new BrowseOptions());
        var statistics = new BrowseStatistics(NullLogger<BrowseStatistics>.Instance, TimeProvider.System);
        return new GitBrowser(new GitRepositoryPool(), new SyntaxHighlighter(), new BrowseCache(options), new GitWorkGate(options, statistics), options);
    }

    public void Dispose() => _repo.Dispose();
}
