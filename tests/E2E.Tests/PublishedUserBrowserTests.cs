using GitTorrent.TestSupport;
using Microsoft.Playwright;

namespace GitTorrent.E2E.Tests;

/// <summary>
/// In Chromium, a user the portal learned only the real way (<see cref="PublishedUser"/>: a signed profile on a private
/// DHT, a name claimed on a real bcoin chain, the repository fetched from the user's node): the name proof says
/// settled and the repository's provenance says the store matches the signed tip, on data no test wrote.
/// </summary>
public sealed class PublishedUserBrowserTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_published_user_is_browsed_with_a_settled_name_and_a_signed_tip()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var work = new TempDirectory("e2e-published");
        await using var user = await PublishedUser.StartAsync(work.Path, cts.Token);
        await using var storage = PortalStorage.Sqlite();
        await using var portal = await PortalProcess.StartAsync(storage, user.PortalSettings).WaitAsync(Timeout);
        await user.WaitUntilArrivedAsync(portal, Timeout);

        using var playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        await using var browser = await Chromium.LaunchAsync(playwright).WaitAsync(Timeout);
        var page = await browser.NewPageAsync(new() { BaseURL = portal.Http.BaseAddress!.ToString().TrimEnd('/') }).WaitAsync(Timeout);
        page.SetDefaultTimeout(30_000);

        await page.GotoAsync($"/u/{PublishedUser.Name}").WaitAsync(Timeout);
        await Assertions.Expect(page.Locator("h1.display-name")).ToHaveTextAsync(PublishedUser.DisplayName);
        await Assertions.Expect(page.Locator(".name-proof")).ToContainTextAsync("settled");
        await Chromium.ShotAsync(page, "published-1-user", Timeout);

        await page.Locator(".repositories a", new() { HasText = PublishedUser.RepositoryName }).ClickAsync().WaitAsync(Timeout);
        await Assertions.Expect(page.Locator("article.markdown h1")).ToHaveTextAsync("Notes");
        await Assertions.Expect(page.Locator("section.provenance")).ToContainTextAsync("matches the signed tip");
        await Assertions.Expect(page.Locator("section.provenance")).ToContainTextAsync($"{PublishedUser.Name} registered at block {user.ClaimHeight}");
        await Chromium.ShotAsync(page, "published-2-repository", Timeout);
    }
}
