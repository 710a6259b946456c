using System.Security.Cryptography;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// A repository for the stock-client tests, put straight into a portal's store for a fresh user: 20 commits of
/// incompressible text (about 0.6 MiB of pack), a second branch, an annotated and a lightweight tag.
/// </summary>
internal sealed class StockRepository : IDisposable
{
    public const string Name = "lib";

    private readonly TempGitRepo _repo = new();

    public string UserId { get; } = PortalTestData.RandomId();

    /// <summary>Every branch and tag with the object it names (<c>git for-each-ref</c> lines).</summary>
    public string Refs => _repo.Git("for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags");

    /// <param name="largeFileBytes">When not 0, one more commit adds a file of about this many incompressible bytes.</param>
    public static async Task<StockRepository> CreateAsync(PortalStorage storage, TimeSpan timeout, int largeFileBytes = 0)
    {
        var stock = new StockRepository();
        if (largeFileBytes > 0)
        {
            stock._repo.Commit("large.txt", Convert.ToBase64String(RandomNumberGenerator.GetBytes(largeFileBytes * 3 / 4)));
        }
        for (var i = 0; i < 20; i++)
        {
            stock._repo.Commit($"data{i}.txt", Convert.ToBase64String(RandomNumberGenerator.GetBytes(30_000)));
        }
        stock._repo.Git("-c", "user.name=Test", "-c", "user.email=test@example.invalid", "tag", "-a", "v1.0", "-m", "release 1.0");
        stock._repo.Git("tag", "light", "HEAD~3");
        stock._repo.Git("checkout", "-q", "-b", "dev");
        stock._repo.Commit("dev.txt", "on dev\n");
        stock._repo.Git("checkout", "-q", "main");
        await PortalTestData.SeedUserAsync(storage, stock.UserId, "Carol Stock", [(Name, stock._repo)], timeout);
        return stock;
    }

    public void Dispose() => _repo.Dispose();
}
