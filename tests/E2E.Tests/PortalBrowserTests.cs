using GitTorrent.TestSupport;
using Microsoft.Playwright;

namespace GitTorrent.E2E.Tests;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright against the real portal process on a real database with real
/// repositories: open a user, browse to a file, view a commit diff, search by username, add a mirror as admin.
/// Every step asserts what is visible and leaves a screenshot in the test output's <c>artifacts/</c> folder.
/// </summary>
public sealed class PortalBrowserTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task BrowseSearchAndAddAMirrorAsAdmin()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        var created = await PortalProcess.RunCommandAsync(storage, "admin", "create-user", "ops").WaitAsync(Timeout);
        Assert.True(created.ExitCode == 0, created.Describe());
        var password = Assert.Single(created.StandardOutput, l => l.StartsWith("One-time password: ", StringComparison.Ordinal))["One-time password: ".Length..];

        using var originRoot = new TempDirectory("e2e-origin");
        using (var work = new TempGitRepo())
        {
            work.Commit("README.md", "# Upstream\n");
            TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "upstream.git"));
        }

        using var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?> { ["GitTorrent__MirrorPollInterval"] = "00:00:00.500" }).WaitAsync(Timeout);
        var baseUrl = portal.Http.BaseAddress!.ToString().TrimEnd('/');

        using var playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        await using var browser = await Chromium.LaunchAsync(playwright).WaitAsync(Timeout);
        var page = await browser.NewPageAsync(new() { BaseURL = baseUrl }).WaitAsync(Timeout);
        page.SetDefaultTimeout(30_000);

        // 1. Open a user.
        await page.GotoAsync("/u/alice").WaitAsync(Timeout);
        await Expect(page.Locator("h1.display-name")).ToHaveTextAsync("Alice Example");
        await Expect(page.Locator(".name-proof")).ToContainTextAsync("settled");
        await Expect(page.Locator(".repositories")).ToContainTextAsync("project");
        await ShotAsync(page, "1-user");

        // 2. Browse to a file.
        await page.Locator(".repositories a", new() { HasText = "project" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("article.markdown h1")).ToHaveTextAsync("Project");
        await page.Locator("table.tree a", new() { HasText = "src/" }).ClickAsync().WaitAsync(Timeout);
        await page.Locator("table.tree a", new() { HasText = "main.c" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator(".blob")).ToContainTextAsync("hello gittorrent");
        await Expect(page.Locator("#L3")).ToBeVisibleAsync();
        Assert.EndsWith("/u/alice/project/blob/main/src/main.c", page.Url, StringComparison.Ordinal);
        await ShotAsync(page, "2-file");

        // 3. View a commit diff.
        await page.Locator(".repository-tabs a", new() { HasText = "Commits" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator(".commit-log")).ToContainTextAsync("log entry 59");
        await page.Locator(".pager a.older").ClickAsync().WaitAsync(Timeout);
        await page.Locator(".commit-log a.subject", new() { HasText = "commit 2" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("h2.commit-subject")).ToHaveTextAsync("commit 2");
        await Expect(page.Locator("table.diff tr.add").First).ToBeVisibleAsync();
        await Expect(page.Locator(".diff-file")).ToContainTextAsync("src/main.c");
        await Expect(page.Locator("table.diff")).ToContainTextAsync("hello gittorrent");
        await ShotAsync(page, "3-commit-diff");

        // 4. Search by username.
        await page.Locator(".site-header input[name=q]").FillAsync("alice").WaitAsync(Timeout);
        await page.Locator(".site-header button[type=submit]").ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("main h2", new() { HasText = "Registered names" })).ToBeVisibleAsync();
        await Expect(page.Locator("main .item-list a", new() { HasText = "alice" }).First).ToBeVisibleAsync();
        await ShotAsync(page, "4-search");

        // 5. Add a mirror as admin (sign in with the one-time password, change it, add, see it synced).
        await page.GotoAsync("/admin").WaitAsync(Timeout);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Admin sign-in");
        await page.Locator("#username").FillAsync("ops").WaitAsync(Timeout);
        await page.Locator("#password").FillAsync(password).WaitAsync(Timeout);
        await page.Locator("button[type=submit]", new() { HasText = "Sign in" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Change password");
        await page.Locator("#current").FillAsync(password).WaitAsync(Timeout);
        await page.Locator("#next").FillAsync("correct horse battery staple").WaitAsync(Timeout);
        await page.Locator("button[type=submit]", new() { HasText = "Change password" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Mirrors");
        await page.Locator("#origin").FillAsync(origin.UrlOf("upstream.git")).WaitAsync(Timeout);
        await page.Locator("#interval").FillAsync("5s").WaitAsync(Timeout);
        await page.Locator("button[type=submit]", new() { HasText = "Add mirror" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("p.notice")).ToContainTextAsync("Added mirror upstream");
        await Expect(page.Locator("table.mirrors")).ToContainTextAsync(origin.UrlOf("upstream.git"));
        await ShotAsync(page, "5-mirror-added");

        // The mirror syncs and is browsable under the portal's own id.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var mirrors = "";
        while (DateTime.UtcNow < deadline)
        {
            await page.ReloadAsync().WaitAsync(Timeout);
            mirrors = await page.Locator("table.mirrors").InnerTextAsync().WaitAsync(Timeout);
            if (!mirrors.Contains("never", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.DoesNotContain("never", mirrors, StringComparison.Ordinal); // the deadline passed without a sync

        await page.Locator("table.mirrors a", new() { HasText = "upstream" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("article.markdown h1")).ToHaveTextAsync("Upstream");
        await ShotAsync(page, "6-mirror-browsed");

        // The swarm view is live: its interactive circuit samples the totals and draws the chart.
        await page.GotoAsync("/swarm").WaitAsync(Timeout);
        await Expect(page.Locator("dd.peers")).ToHaveTextAsync("0");
        await Expect(page.Locator("polyline.chart-line")).ToHaveAttributeAsync("points", new System.Text.RegularExpressions.Regex(@"\d+,\d+ \d"));
        await ShotAsync(page, "7-swarm");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static Task ShotAsync(IPage page, string name) => Chromium.ShotAsync(page, name, Timeout);
}
