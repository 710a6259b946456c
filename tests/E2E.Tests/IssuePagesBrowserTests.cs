using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GitTorrent.E2E.Tests;

/// <summary>
/// Debian's Chromium on the issue, fork and compare pages of a real portal: hostile issue files (script, iframe,
/// <c>javascript:</c> links, handler attributes, a 1 MB title, <c>state: &lt;script&gt;</c>, binary) render inert and are
/// listed as unreadable; and the pages work under a strict Content-Security-Policy (<c>script-src 'self'</c>, no inline
/// script or style) with no violation. A screenshot per step goes to <c>artifacts/</c>.
/// </summary>
public sealed partial class IssuePagesBrowserTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Hostile_issues_do_not_execute_and_the_pages_work_under_a_strict_csp()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new IssuePortalData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        var baseUrl = portal.Http.BaseAddress!.ToString().TrimEnd('/');
        var home = $"/u/{data.AliceId}/tracker";

        using var playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        await using var browser = await Chromium.LaunchAsync(playwright).WaitAsync(Timeout);

        // 1. No CSP at all: the sanitiser alone must keep every payload inert.
        var open = await browser.NewPageAsync(new() { BaseURL = baseUrl }).WaitAsync(Timeout);
        open.SetDefaultTimeout(30_000);
        var dialogs = new List<string>();
        open.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await open.GotoAsync($"{home}/issues?state=all&page=3").WaitAsync(Timeout);
        await Expect(open.Locator(".unreadable")).ToContainTextAsync(".issues/aaaaaaaaaaaa/issue.md: larger than 262144 bytes");
        await Expect(open.Locator(".unreadable")).ToContainTextAsync(".issues/bbbbbbbbbbbb/issue.md: state is neither open nor closed");
        await Expect(open.Locator(".unreadable")).ToContainTextAsync(".issues/dddddddddddd/issue.md: binary (contains NUL bytes)");
        await Expect(open.Locator(".issue-list a.title", new() { HasText = "<img src=x onerror=" })).ToHaveCountAsync(1);
        await ShotAsync(open, "issues-1-unreadable");
        await open.Locator(".issue-list a.title", new() { HasText = "Clone hangs behind a proxy" }).ClickAsync().WaitAsync(Timeout);
        await Expect(open.Locator(".markdown strong").First).ToHaveTextAsync("bold text");
        foreach (var link in await open.Locator(".markdown a").AllAsync().WaitAsync(Timeout))
        {
            Assert.DoesNotContain("javascript", await link.GetAttributeAsync("href").WaitAsync(Timeout) ?? "", StringComparison.OrdinalIgnoreCase);
        }
        await open.Locator(".markdown a", new() { HasText = "click" }).ClickAsync().WaitAsync(Timeout);
        await open.WaitForTimeoutAsync(500).WaitAsync(Timeout);
        Assert.Equal(0, await open.Locator("iframe").CountAsync().WaitAsync(Timeout));
        Assert.True(await open.EvaluateAsync<bool>("() => window.__pwned === undefined").WaitAsync(Timeout), "a payload ran");
        Assert.Empty(dialogs);
        await ShotAsync(open, "issues-2-hostile-body");

        // 2. A strict CSP (the framework's import map allowed by its hash only): the pages work and nothing is blocked.
        var csp = await StrictPolicyAsync(portal.Http, $"{home}/issues");
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl }).WaitAsync(Timeout);
        await context.RouteAsync("**/*", async route =>
        {
            var response = await route.FetchAsync();
            var headers = new Dictionary<string, string>(response.Headers) { ["content-security-policy"] = csp };
            await route.FulfillAsync(new() { Response = response, Headers = headers });
        }).WaitAsync(Timeout);
        await context.AddInitScriptAsync("window.__violations = []; document.addEventListener('securitypolicyviolation', "
            + "e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));").WaitAsync(Timeout);
        var page = await context.NewPageAsync().WaitAsync(Timeout);
        page.SetDefaultTimeout(30_000);
        var violations = new List<string>();
        async Task CollectAsync() => violations.AddRange(await page.EvaluateAsync<string[]>("() => window.__violations").WaitAsync(Timeout));

        await page.GotoAsync($"{home}/issues").WaitAsync(Timeout);
        await Expect(page.Locator(".issue-states")).ToContainTextAsync($"{IssuePortalData.OpenIssues} open");
        await CollectAsync();
        await page.Locator(".issue-search input[name=q]").FillAsync("proxy").WaitAsync(Timeout);
        await page.Locator(".issue-search button[type=submit]").ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator(".issue-list li")).ToHaveCountAsync(1);
        await ShotAsync(page, "issues-3-search-under-csp");
        await CollectAsync();
        await page.Locator(".issue-list a.title").ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator("h2.issue-title")).ToContainTextAsync("Clone hangs behind a proxy");
        await Expect(page.Locator(".proposed h3").First).ToContainTextAsync("Proposed from");
        await Expect(page.Locator(".history li")).ToHaveCountAsync(3);
        await ShotAsync(page, "issues-4-issue-under-csp");
        await CollectAsync();
        await page.Locator(".repository-tabs a.forks-tab").ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator(".fork-list")).ToContainTextAsync("tracker");
        await ShotAsync(page, "issues-5-forks-under-csp");
        await CollectAsync();
        await page.Locator(".proposed-change a", new() { HasText = "conflict" }).ClickAsync().WaitAsync(Timeout);
        await Expect(page.Locator(".merge")).ToContainTextAsync("Does not merge cleanly");
        await Expect(page.Locator(".conflicts")).ToContainTextAsync("README.md");
        await ShotAsync(page, "issues-6-compare-under-csp");
        await CollectAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined").WaitAsync(Timeout));
        Assert.Empty(violations);
    }

    /// <summary>
    /// <c>default-src 'self'</c> with no inline script or style; the one inline element the framework writes, the import
    /// map, is allowed by its SHA-256 (as a deployment would).
    /// </summary>
    private static async Task<string> StrictPolicyAsync(HttpClient http, string path)
    {
        var html = await http.GetStringAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
        var hashes = ImportMap().Matches(html)
            .Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'");
        return $"default-src 'self'; script-src 'self' {string.Join(' ', hashes)}; style-src 'self'; img-src 'self'; "
            + "frame-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
    }

    [GeneratedRegex("<script type=\"importmap\"[^>]*>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ImportMap();

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static Task ShotAsync(IPage page, string name) => Chromium.ShotAsync(page, name, Timeout);
}
