using System.Net;
using System.Net.Http.Headers;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Endpoints;

/// <summary>
/// Stock git (2.39 here) clones with <c>git clone --bundle-uri=&lt;portal&gt;/{id}/{repo}.bundle &lt;portal&gt;/{id}/{repo}.git</c>:
/// the portal's counters show the bundle carried the objects and upload-pack sent only what the bundle lacks; the
/// bundle answers Range and ETag revalidation and is cacheable; a second request reuses the cached pack.
/// </summary>
public sealed class BundleCloneTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Clone_with_bundle_uri_takes_the_objects_from_the_bundle_and_only_the_rest_from_upload_pack()
    {
        await using var storage = PortalStorage.Sqlite();
        using var stock = await StockRepository.CreateAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        using var admin = BoundClient.Create(portal.Http.BaseAddress!, "127.0.0.1", out _);
        await AdminSession.FirstSignInAsync(admin, "root", await AdminSession.CreateAsync(storage, "root")).WaitAsync(Timeout);
        var gitUrl = new Uri(portal.Http.BaseAddress!, $"/{stock.UserId}/{StockRepository.Name}.git").ToString();
        var bundleUrl = new Uri(portal.Http.BaseAddress!, $"/{stock.UserId}/{StockRepository.Name}.bundle");
        using var clones = new TempDirectory("bundle-clone");

        // The baseline: what upload-pack sends for a plain clone.
        var before = await AdminSession.CounterAsync(admin, PortalCounters.UploadPackBytesServed);
        var plain = await ProcessRunner.RunAsync("git", ["clone", "-q", gitUrl, Path.Combine(clones.Path, "plain")], Timeout).WaitAsync(Timeout);
        Assert.True(plain.ExitCode == 0, plain.Describe());
        var plainBytes = await AdminSession.CounterAsync(admin, PortalCounters.UploadPackBytesServed) - before;
        Assert.True(plainBytes > 500_000, $"a plain clone sent only {plainBytes} bytes");

        // The bundle clone: complete, with every branch and tag.
        var uploadBefore = await AdminSession.CounterAsync(admin, PortalCounters.UploadPackBytesServed);
        var target = Path.Combine(clones.Path, "bundled");
        var clone = await ProcessRunner.RunAsync("git", ["clone", $"--bundle-uri={bundleUrl}", gitUrl, target], Timeout).WaitAsync(Timeout);
        Assert.True(clone.ExitCode == 0, clone.Describe() + "\n--- portal ---\n" + portal.Runner.Describe());
        TempGitRepo.Run(target, "fsck", "--strict", "--no-dangling");
        Assert.Equal(Lines(stock.Refs.Replace("refs/heads/", "refs/remotes/origin/", StringComparison.Ordinal)),
            Lines(TempGitRepo.Run(target, "for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/origin", "refs/tags"))
                .Where(l => !l.EndsWith("/HEAD", StringComparison.Ordinal)));

        // The bundle carried the objects: the whole bundle was sent once, upload-pack sent a small part of a clone.
        using var head = await portal.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, bundleUrl)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        var bundleLength = head.Content.Headers.ContentLength ?? 0;
        Assert.True(bundleLength > 500_000, $"the bundle is {bundleLength} bytes");
        Assert.Equal(bundleLength, await AdminSession.CounterAsync(admin, PortalCounters.BundleBytesServed));
        var rest = await AdminSession.CounterAsync(admin, PortalCounters.UploadPackBytesServed) - uploadBefore;
        Assert.True(rest * 20 < plainBytes, $"upload-pack sent {rest} bytes besides the bundle; a plain clone took {plainBytes}");
        Assert.Equal(1, await AdminSession.CounterAsync(admin, PortalCounters.BundlePacksBuilt));

        // Cacheable: public with an ETag that revalidates to 304; ranges are served; the cached pack is reused.
        var etag = head.Headers.ETag;
        Assert.NotNull(etag);
        Assert.True(head.Headers.CacheControl?.Public, head.Headers.CacheControl?.ToString());
        Assert.Equal("bytes", Assert.Single(head.Headers.AcceptRanges));
        using (var again = new HttpRequestMessage(HttpMethod.Get, bundleUrl))
        {
            again.Headers.IfNoneMatch.Add(etag);
            using var notModified = await portal.Http.SendAsync(again).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, bundleUrl))
        {
            ranged.Headers.Range = new RangeHeaderValue(0, 15);
            using var partial = await portal.Http.SendAsync(ranged).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal("# v2 git bundle\n"u8.ToArray(), await partial.Content.ReadAsByteArrayAsync().WaitAsync(Timeout));
        }
        var tail = bundleLength - 12; // the pack's trailing SHA-1 sits at the end of the bundle
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, bundleUrl))
        {
            ranged.Headers.Range = new RangeHeaderValue(tail, null);
            using var partial = await portal.Http.SendAsync(ranged).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            var whole = await portal.Http.GetByteArrayAsync(bundleUrl).WaitAsync(Timeout);
            Assert.Equal(whole[(int)tail..], await partial.Content.ReadAsByteArrayAsync().WaitAsync(Timeout));
        }
        Assert.Equal(1, await AdminSession.CounterAsync(admin, PortalCounters.BundlePacksBuilt));
    }

    [Fact]
    public async Task Unknown_repositories_have_no_bundle_and_a_known_one_is_a_git_bundle()
    {
        await using var storage = PortalStorage.Sqlite();
        using var stock = await StockRepository.CreateAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        using var missing = await portal.Http.GetAsync(new Uri($"/{stock.UserId}/nothing.bundle", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var traversal = await portal.Http.GetAsync(new Uri($"/{stock.UserId}/..%2F..%2Fetc.bundle", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
        using var found = await portal.Http.GetAsync(new Uri($"/{stock.UserId}/{StockRepository.Name}.bundle", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("application/x-git-bundle", found.Content.Headers.ContentType?.MediaType);
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
}
