using Microsoft.Playwright;

namespace GitTorrent.E2E.Tests;

/// <summary>Debian's Chromium, headless, kept off the network but 127.0.0.1; screenshots go to the output's <c>artifacts/</c>.</summary>
internal static class Chromium
{
    public static readonly string Artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-quic", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
    });

    public static async Task ShotAsync(IPage page, string name, TimeSpan timeout)
    {
        Directory.CreateDirectory(Artifacts);
        var path = Path.Combine(Artifacts, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true }).WaitAsync(timeout);
        Assert.True(new FileInfo(path).Length > 1000, $"screenshot {name} is empty");
    }
}
