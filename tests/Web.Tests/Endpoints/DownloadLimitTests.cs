using System.Net;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Endpoints;

/// <summary>
/// Bundle and pack downloads are capped per client address (429) and in total (503), both with Retry-After and
/// counted, while an honest client on 127.0.0.1 still downloads. Attackers hold 40 MB downloads open without reading
/// them, from 127.0.0.2 and up.
/// </summary>
public sealed class DownloadLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Downloads_beyond_the_caps_are_refused_while_an_honest_client_downloads()
    {
        await using var storage = PortalStorage.Sqlite();
        using var stock = await StockRepository.CreateAsync(storage, Timeout, largeFileBytes: 40 << 20).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__GitHttp__MaxDownloadsPerAddress"] = "1",
            ["GitTorrent__GitHttp__MaxDownloads"] = "2",
            ["GitTorrent__GitHttp__RetryAfter"] = "00:00:07",
        }).WaitAsync(Timeout);
        var baseAddress = portal.Http.BaseAddress!;
        var bundle = new Uri($"/{stock.UserId}/{StockRepository.Name}.bundle", UriKind.Relative);

        // The honest client first: the pack is built once and its length known.
        var whole = await portal.Http.GetByteArrayAsync(bundle).WaitAsync(Timeout);
        Assert.True(whole.Length > 30_000_000, $"the bundle is only {whole.Length} bytes");

        // An attacker holds one download open without reading it; its second is refused with 429.
        using var attacker = BoundClient.Create(baseAddress, "127.0.0.2", out _);
        using var held = await attacker.GetAsync(bundle, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        using (var refused = await attacker.GetAsync(bundle, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
        }

        // A second attacker address takes the last slot: everyone else gets 503, the honest client included.
        using var second = BoundClient.Create(baseAddress, "127.0.0.3", out _);
        using var heldToo = await second.GetAsync(bundle, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, heldToo.StatusCode);
        using (var busy = await portal.Http.GetAsync(bundle, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), busy.Headers.RetryAfter?.Delta);
        }

        // The holds end: the honest client downloads again, the same bytes.
        held.Dispose();
        heldToo.Dispose();
        attacker.Dispose();
        second.Dispose();
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var again = await portal.Http.GetAsync(bundle).WaitAsync(Timeout);
            if (again.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(whole, await again.Content.ReadAsByteArrayAsync().WaitAsync(Timeout));
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still {again.StatusCode} after the holds ended");
            await Task.Delay(200);
        }

        using var admin = BoundClient.Create(baseAddress, "127.0.0.1", out _);
        await AdminSession.FirstSignInAsync(admin, "root", await AdminSession.CreateAsync(storage, "root")).WaitAsync(Timeout);
        Assert.True(await AdminSession.CounterAsync(admin, PortalCounters.DownloadRefusedPerAddress) >= 1);
        Assert.True(await AdminSession.CounterAsync(admin, PortalCounters.DownloadRefusedTotal) >= 1);
    }
}
