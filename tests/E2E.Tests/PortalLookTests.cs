using System.Text.Json;
using Deque.AxeCore.Playwright;
using GitTorrent.TestSupport;
using Microsoft.Playwright;

namespace GitTorrent.E2E.Tests;

/// <summary>
/// Every browsing page in Chromium at 1280 and 390 px, light and dark: a screenshot of each goes to
/// <c>artifacts/look/</c>; axe finds no serious or critical violation; no page has an inline script, an inline event
/// handler or a <c>javascript:</c> URL (they must work under <c>script-src 'self'</c>); line anchors, copy buttons,
/// the <c>t</c> finder and the svg sandbox work as a person would use them.
/// </summary>
public sealed class PortalLookTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly string Artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "look");

    [Fact]
    public async Task EveryPageLooksRightIsAccessibleAndRunsNoInlineScript()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        var store = Path.Combine(storage.DataDirectory, "repos", data.AliceId, "showcase.git");
        var head = TestSupport.TempGitRepo.Run(store, "rev-parse", "main").Trim();
        const string repo = "/u/alice/showcase";
        var pages = new (string Name, string Url)[]
        {
            ("home", "/"), ("user", "/u/alice"), ("repository", repo), ("tree", $"{repo}/tree/main/src"), ("blob", $"{repo}/blob/main/docs/new-name.md?plain=1#L3-L5"), ("long-file", $"{repo}/blob/main/src/big.c#L100"),
            ("markdown", $"{repo}/blob/main/docs/guide.md"), ("image", $"{repo}/blob/main/img/logo.png"), ("commits", $"{repo}/commits/main"),
            ("history", $"{repo}/commits/main/docs/new-name.md"), ("commit", $"{repo}/commit/{head}"), ("branches", $"{repo}/branches"),
            ("tags", $"{repo}/tags"), ("blame", $"{repo}/blame/main/README.md"), ("finder", $"{repo}/find/main?q=md"),
            ("code-search", $"{repo}/search/main?q=int"), ("search", "/search?q=alice"), ("api", "/docs/api"),
        };
        Directory.CreateDirectory(Artifacts);
        using var playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        await using var browser = await LaunchAsync(playwright);
        var problems = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            foreach (var width in new[] { 1280, 390 })
            {
                await using var context = await browser.NewContextAsync(new()
                {
                    BaseURL = portal.Http.BaseAddress!.ToString().TrimEnd('/'),
                    ColorScheme = scheme,
                    ViewportSize = new() { Width = width, Height = width > 600 ? 900 : 844 },
                }).WaitAsync(Timeout);
                var page = await context.NewPageAsync().WaitAsync(Timeout);
                page.SetDefaultTimeout(30_000);
                foreach (var (name, url) in pages)
                {
                    await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.NetworkIdle }).WaitAsync(Timeout);
                    await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, $"{name}-{width}-{scheme.ToString().ToLowerInvariant()}.png") }).WaitAsync(Timeout);
                    var inline = await page.EvaluateAsync<string[]>(InlineScriptProbe).WaitAsync(Timeout);
                    problems.AddRange(inline.Select(p => $"{name}: {p}"));
                    // axe on every page at 1280 px and on two at 390 px (the 5,000-row file would take minutes).
                    if ((width == 1280 || name is "repository" or "blob") && name != "long-file")
                    {
                        var axe = await page.RunAxe().WaitAsync(Timeout);
                        problems.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical")
                            .Select(v => $"{name} {width} {scheme}: axe {v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}"));
                    }

                    if (width == 390)
                    {
                        // Nothing wider than the screen: the page itself never scrolls sideways.
                        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth").WaitAsync(Timeout);
                        if (overflow > 1)
                        {
                            problems.Add($"{name} {scheme}: the page is {overflow} px wider than a 390 px screen");
                        }
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task LineAnchorsCopyButtonsFinderAndTheSvgSandbox()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        Directory.CreateDirectory(Artifacts);
        using var playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        await using var browser = await LaunchAsync(playwright);
        var baseUrl = portal.Http.BaseAddress!.ToString().TrimEnd('/');
        await using var context = await browser.NewContextAsync(new() { BaseURL = baseUrl }).WaitAsync(Timeout);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = baseUrl }).WaitAsync(Timeout);
        var page = await context.NewPageAsync().WaitAsync(Timeout);
        page.SetDefaultTimeout(30_000);
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };

        // Line anchors: click L10, shift-click L20: the URL says #L10-L20 and 11 rows are marked.
        await page.GotoAsync("/u/alice/showcase/blob/main/src/big.c").WaitAsync(Timeout);
        await page.Locator("#L10 a").ClickAsync().WaitAsync(Timeout);
        await page.Locator("#L20 a").ClickAsync(new() { Modifiers = [KeyboardModifier.Shift] }).WaitAsync(Timeout);
        Assert.EndsWith("#L10-L20", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("table.code tr.selected")).ToHaveCountAsync(11);
        await page.GotoAsync("/u/alice/showcase/blob/main/src/big.c#L4990-L4992").WaitAsync(Timeout);
        await Assertions.Expect(page.Locator("table.code tr.selected")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#L4991")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "interaction-line-range.png") }).WaitAsync(Timeout);

        // Copy button: the clipboard holds the clone URL.
        await page.GotoAsync("/u/alice/showcase").WaitAsync(Timeout);
        var url = await page.Locator("#clone-http").InputValueAsync().WaitAsync(Timeout);
        await page.Locator("button[data-copy=clone-http]").ClickAsync().WaitAsync(Timeout);
        await Assertions.Expect(page.Locator("button[data-copy=clone-http]")).ToHaveTextAsync("Copied");
        Assert.Equal(url, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()").WaitAsync(Timeout));

        // "t" opens the finder; typing filters without a reload.
        await page.Locator(".repository-header .description").ClickAsync().WaitAsync(Timeout);
        await page.Keyboard.PressAsync("t").WaitAsync(Timeout);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/find/main$"));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle).WaitAsync(Timeout);
        await page.Locator("#finder-query").FillAsync("gdmd").WaitAsync(Timeout);
        await Assertions.Expect(page.Locator(".finder-results a").First).ToHaveTextAsync("docs/guide.md");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "interaction-finder.png") }).WaitAsync(Timeout);

        // The svg with a script: shown as an image, opened raw: its script never runs.
        await page.GotoAsync("/u/alice/showcase/blob/main/img/evil.svg").WaitAsync(Timeout);
        await Assertions.Expect(page.Locator(".image-view img")).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle).WaitAsync(Timeout);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.svgRan").WaitAsync(Timeout));
        await page.GotoAsync("/raw/alice/showcase/main/img/evil.svg").WaitAsync(Timeout);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle).WaitAsync(Timeout);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.svgRan").WaitAsync(Timeout));
        Assert.Empty(dialogs);
    }

    /// <summary>Inline scripts, inline event handlers, javascript: URLs and style attributes on the page.</summary>
    private const string InlineScriptProbe = """
        () => {
          const found = [];
          document.querySelectorAll('script:not([src])').forEach(s => { if (s.textContent.trim()) found.push('inline <script>'); });
          for (const element of document.querySelectorAll('*')) {
            for (const attribute of element.attributes) {
              if (attribute.name.startsWith('on')) found.push(`${element.localName}[${attribute.name}]`);
              if (attribute.name === 'style' && attribute.value.trim()) found.push(`${element.localName}[style]`);
              if (/^\s*javascript:/i.test(attribute.value)) found.push(`${element.localName}[${attribute.name}=javascript:]`);
            }
          }
          return found;
        }
        """;

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright) => await playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-quic", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
    }).WaitAsync(Timeout);
}
