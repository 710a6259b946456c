using System.Net;
using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests;

/// <summary>
/// The browse suite's provenance claims on data the test did not write: a <see cref="PublishedUser"/> (signed profile
/// on a private DHT, name claimed on a real bcoin regtest chain) reaches a portal with an empty database on each
/// provider, and the pages and API show what the crawl verified and the chain settled. <see cref="BrowseSuite{TFixture}"/>
/// asserts the same wording on its seeded users; this is the check that the wording follows the real pipeline.
/// </summary>
public sealed class PublishedUserTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Theory]
    [MemberData(nameof(PortalStorage.Providers), MemberType = typeof(PortalStorage))]
    public async Task A_user_known_only_from_the_dht_and_the_chain_is_shown_settled_and_signed(string provider)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var work = new TempDirectory("published-user");
        await using var user = await PublishedUser.StartAsync(work.Path, cts.Token);
        await using var storage = PortalStorage.For(provider);
        await using var portal = await PortalProcess.StartAsync(storage, user.PortalSettings).WaitAsync(Timeout);

        // Nothing was written to the database: the claim is indexed from the chain, its key crawled from the DHT, the
        // repository fetched from the user's node.
        await user.WaitUntilArrivedAsync(portal, Timeout);
        Assert.True(user.Node.GetStatistics().Uploaded > 0, "the pack did not come from the user's node");

        var home = await portal.GetOkAsync($"/u/{PublishedUser.Name}", Timeout);
        Assert.Contains(PublishedUser.DisplayName, home, StringComparison.Ordinal);
        Assert.Contains(user.UserId, home, StringComparison.Ordinal);
        Assert.Contains("settled", home, StringComparison.Ordinal);
        Assert.Contains(user.ClaimTxid, home, StringComparison.Ordinal);

        var repository = await portal.GetOkAsync($"/u/{PublishedUser.Name}/{PublishedUser.RepositoryName}", Timeout);
        Assert.Contains($"at seq <span class=\"seq\">{PublishedUser.Seq}</span>", repository, StringComparison.Ordinal);
        Assert.Contains($"{PublishedUser.Name} registered at block {user.ClaimHeight}", repository, StringComparison.Ordinal);
        Assert.Contains("matches the signed tip", repository, StringComparison.Ordinal);
        Assert.Contains("Published through the DHT, named on the chain.", repository, StringComparison.Ordinal);

        using var profile = JsonDocument.Parse(await portal.GetOkAsync($"/api/users/{user.UserId}", Timeout));
        Assert.Equal(PublishedUser.Seq, profile.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal([PublishedUser.Name], profile.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        using var name = JsonDocument.Parse(await portal.GetOkAsync($"/api/names/{PublishedUser.Name}", Timeout));
        Assert.Equal(user.UserId, name.RootElement.GetProperty("owner").GetString());
        Assert.Equal("settled", name.RootElement.GetProperty("status").GetString());
        var claim = Assert.Single(name.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal("CLAIM", claim.GetProperty("kind").GetString());
        Assert.Equal(user.ClaimHeight, claim.GetProperty("height").GetInt32());
    }
}
