using System.Net;

namespace GitTorrent.Web.Tests.Endpoints;

/// <summary>
/// The page cache of repository pages: a request with <c>Cache-Control: no-cache</c> gets a fresh render that is not
/// stored (the next plain request is rendered too, then served from the cache with an <c>Age</c> header), and no
/// cached page (nor the render that filled the cache) carries a <c>Set-Cookie</c>.
/// </summary>
public sealed class PageCacheTests(SqliteBrowseFixture fixture) : IClassFixture<SqliteBrowseFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Without a cookie container: HttpClient's own would swallow Set-Cookie headers.
    private readonly HttpClient http = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = fixture.Portal.Http.BaseAddress, Timeout = Timeout };

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task NoCacheRequestsAreRenderedAndNotStored()
    {
        var cachedSeen = false;
        for (var attempt = 0; attempt < 10 && !cachedSeen; attempt++)
        {
            // A query key of its own per attempt: no earlier request filled this entry.
            var url = $"/u/alice/showcase/tree/main/src?q={Guid.NewGuid():N}";
            using (var fresh = await GetAsync(url, noCache: true))
            {
                Assert.Null(fresh.Headers.Age);
            }

            using (var fresh = await GetAsync(url, noCache: true))
            {
                Assert.Null(fresh.Headers.Age); // no-cache is never answered from the cache
            }

            using (var first = await GetAsync(url, noCache: false))
            {
                Assert.Null(first.Headers.Age); // the no-cache renders stored nothing
                Assert.False(first.Headers.Contains("Set-Cookie"), "the page that fills the cache sets a cookie");
            }

            // The cache keeps a page for two seconds: on a loaded machine the next request may come too late.
            using var cached = await GetAsync(url, noCache: false);
            Assert.False(cached.Headers.Contains("Set-Cookie"), "a cached page sets a cookie");
            cachedSeen = cached.Headers.Age is not null;
        }

        Assert.True(cachedSeen, "no plain request was ever answered from the page cache");
    }

    /// <summary>
    /// A signed-in admin's pages are neither served from the cache nor stored in it: an anonymous request that filled
    /// the cache is not replayed to the admin (while the next anonymous request is served from it), and an admin's
    /// render leaves nothing an anonymous visitor is then served.
    /// </summary>
    [Fact]
    public async Task SignedInRequestsAreNeitherServedFromNorStoredInTheCache()
    {
        var name = "cache-admin-" + Guid.NewGuid().ToString("N")[..8];
        var oneTime = await AdminSession.CreateAsync(fixture.Storage, name);
        using var admin = new HttpClient(new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = fixture.Portal.Http.BaseAddress,
            Timeout = Timeout,
        };
        await AdminSession.FirstSignInAsync(admin, name, oneTime);

        var provedCacheWasWarm = false;
        for (var attempt = 0; attempt < 10 && !provedCacheWasWarm; attempt++)
        {
            var url = $"/u/alice/showcase/tree/main/src?q={Guid.NewGuid():N}";
            using (var filling = await GetAsync(url, noCache: false))
            {
                Assert.Null(filling.Headers.Age);
            }
            using (var signedIn = await SendAsync(admin, url))
            {
                Assert.Null(signedIn.Headers.Age); // never the anonymous copy
            }
            // The cache keeps a page for two seconds: on a loaded machine it may have expired already, then try again.
            using var anonymous = await GetAsync(url, noCache: false);
            provedCacheWasWarm = anonymous.Headers.Age is not null;
        }
        Assert.True(provedCacheWasWarm, "the anonymous copy was never served from the cache right after the admin's request");

        var storedByAdmin = false;
        for (var attempt = 0; attempt < 3 && !storedByAdmin; attempt++)
        {
            var url = $"/u/alice/showcase/tree/main/src?q={Guid.NewGuid():N}";
            using (var signedIn = await SendAsync(admin, url))
            {
                Assert.Null(signedIn.Headers.Age);
            }
            using var anonymous = await GetAsync(url, noCache: false);
            storedByAdmin = anonymous.Headers.Age is not null;
        }
        Assert.False(storedByAdmin, "an admin's render was served to an anonymous visitor");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(new Uri(url, UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        return response;
    }

    private async Task<HttpResponseMessage> GetAsync(string url, bool noCache)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (noCache)
        {
            request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        }

        var response = await http.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        return response;
    }
}
