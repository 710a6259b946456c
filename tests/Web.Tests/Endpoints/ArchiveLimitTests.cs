using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Endpoints;

/// <summary>
/// Archives are bounded per client address and in total: an attacker on 127.0.0.2 holding a download it never reads
/// gets 429 for a second one, the honest client on 127.0.0.1 still gets its archive; once two attackers hold both
/// slots the honest client gets 503 with Retry-After; when they leave, the slots come back.
/// </summary>
public sealed class ArchiveLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AttackersHoldingArchivesGet429AndTheTotalIsBounded()
    {
        await using var storage = PortalStorage.Sqlite();
        using var repository = new TempGitRepo();
        // Incompressible, so an unread download fills the socket buffers and git archive has to wait.
        await File.WriteAllBytesAsync(Path.Combine(repository.Root, "noise.bin"), RandomNumberGenerator.GetBytes(24 * 1024 * 1024)).WaitAsync(Timeout);
        repository.Commit("README.md", "# Archive\n");
        var userId = PortalTestData.RandomId();
        await PortalTestData.SeedUserAsync(storage, userId, "Archiver", [("big", repository)], Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Browse__MaxArchives"] = "2",
            ["GitTorrent__Browse__MaxArchivesPerClient"] = "1",
        }).WaitAsync(Timeout);
        var url = new Uri(portal.Http.BaseAddress!, $"/u/{userId}/big/archive/main.tar.gz");

        using var attackerA = ClientFrom(IPAddress.Parse("127.0.0.2"));
        using var attackerB = ClientFrom(IPAddress.Parse("127.0.0.3"));
        using var honest = ClientFrom(IPAddress.Loopback);

        var held = await attackerA.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        using (var second = await attackerA.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.NotNull(second.Headers.RetryAfter);
        }

        var bytes = await honest.GetByteArrayAsync(url).WaitAsync(Timeout);
        Assert.True(bytes.Length > 20 * 1024 * 1024, $"the honest archive is {bytes.Length} bytes");

        var heldB = await attackerB.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, heldB.StatusCode);
        using (var refused = await honest.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // The attackers leave: their git archive runs are stopped and the slots return.
        held.Dispose();
        heldB.Dispose();
        attackerA.Dispose();
        attackerB.Dispose();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var again = await honest.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
            status = again.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task RawDownloadsOfFilesTooLargeToRenderTakeTheSameSlots()
    {
        await using var storage = PortalStorage.Sqlite();
        using var repository = new TempGitRepo();
        await File.WriteAllBytesAsync(Path.Combine(repository.Root, "noise.bin"), RandomNumberGenerator.GetBytes(24 * 1024 * 1024)).WaitAsync(Timeout);
        repository.Commit("README.md", "# Raw\n");
        var userId = PortalTestData.RandomId();
        await PortalTestData.SeedUserAsync(storage, userId, "Raw", [("big", repository)], Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Browse__MaxArchives"] = "2",
            ["GitTorrent__Browse__MaxArchivesPerClient"] = "1",
        }).WaitAsync(Timeout);
        var large = new Uri(portal.Http.BaseAddress!, $"/raw/{userId}/big/main/noise.bin");
        var small = new Uri(portal.Http.BaseAddress!, $"/raw/{userId}/big/main/README.md");

        using var attacker = ClientFrom(IPAddress.Parse("127.0.0.2"));
        using var honest = ClientFrom(IPAddress.Loopback);
        using var held = await attacker.GetAsync(large, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        using (var second = await attacker.GetAsync(large, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.NotNull(second.Headers.RetryAfter);
        }

        // Small files are read in the portal and take no slot; the honest client's large download has its own.
        using (var readme = await attacker.GetAsync(small).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, readme.StatusCode);
        }
        var bytes = await honest.GetByteArrayAsync(large).WaitAsync(Timeout);
        Assert.Equal(24 * 1024 * 1024, bytes.Length);
    }

    private static HttpClient ClientFrom(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { Timeout = Timeout };
}
