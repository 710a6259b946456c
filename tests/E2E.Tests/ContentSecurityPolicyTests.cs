using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GitTorrent.E2E.Tests;

/// <summary>
/// The portal's strict Content-Security-Policy (no inline script or style, same-origin only) in real Chromium: the home,
/// user, repository, file and interactive swarm pages work under it and report no violation, also when the Blazor
/// circuit drops and the reconnect dialog shows.
/// </summary>
public sealed partial class ContentSecurityPolicyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task PagesAndTheInteractiveSwarmViewRunWithoutAnyCspViolation()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);

        using var playwright = await Playwright.CreateAsync().WaitAsync(Timeout);
        await using var browser = await Chromium.LaunchAsync(playwright).WaitAsync(Timeout);
        var page = await browser.NewPageAsync(new() { BaseURL = portal.Http.BaseAddress!.ToString().TrimEnd('/') }).WaitAsync(Timeout);
        page.SetDefaultTimeout(30_000);

        // Chromium logs each refused script, style, image or connection; the page's own event is logged too, with a marker.
        var violations = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.StartsWith("csp-violation", StringComparison.Ordinal))
            {
                violations.Enqueue(message.Text);
            }
        };
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => "
            + "console.error('csp-violation ' + e.violatedDirective + ' ' + e.blockedURI));").WaitAsync(Timeout);

        var policies = new ConcurrentQueue<string>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "document" && response.Headers.TryGetValue("content-security-policy", out var policy))
            {
                policies.Enqueue(policy);
            }
        };

        foreach (var path in new[] { "/", "/u/alice", "/u/alice/project", "/u/alice/project/blob/main/src/main.c" })
        {
            var response = await page.GotoAsync(path).WaitAsync(Timeout);
            Assert.Equal(200, response!.Status);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle).WaitAsync(Timeout);
        }

        await Assertions.Expect(page.Locator(".blob")).ToContainTextAsync("hello gittorrent");

        // The interactive page: its circuit (a same-origin WebSocket) samples the totals and redraws the chart.
        await page.GotoAsync("/swarm").WaitAsync(Timeout);
        await Assertions.Expect(page.Locator("polyline.chart-line")).ToHaveAttributeAsync("points", PointsPattern(), new() { Timeout = 30_000 });

        // The circuit drops: Blazor shows our reconnect dialog (no inline style of its own).
        await portal.StopAsync().WaitAsync(Timeout);
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        Assert.True(violations.IsEmpty, string.Join("\n", violations));
        Assert.NotEmpty(policies);
        foreach (var policy in policies)
        {
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.Contains("style-src 'self'", policy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'self'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-", policy, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\d+,\d+ \d")]
    private static partial Regex PointsPattern();
}
