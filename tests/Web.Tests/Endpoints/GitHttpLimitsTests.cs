using System.IO.Compression;
using System.Net;
using System.Text;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Endpoints;

/// <summary>
/// Smart HTTP under attack from 127.0.0.2 and up: upload-pack processes are capped per address (429) and in total (503),
/// both with Retry-After, while an honest clone from 127.0.0.1 goes through; a gzip bomb is refused with 413.
/// </summary>
public sealed class GitHttpLimitsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task UploadPacksBeyondTheCapsAreRefusedWhileAnHonestCloneSucceeds()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__GitHttp__MaxUploadPacksPerAddress"] = "2",
            ["GitTorrent__GitHttp__UploadPackQueuePerAddress"] = "0",
            ["GitTorrent__GitHttp__MaxUploadPacks"] = "3",
            ["GitTorrent__GitHttp__RetryAfter"] = "00:00:07",
        }).WaitAsync(Timeout);
        var repository = $"/{data.AliceId}/project.git";
        var baseAddress = portal.Http.BaseAddress!;
        using var stop = new CancellationTokenSource();
        var held = new List<Task>();
        try
        {
            // The attacker holds two upload-packs open (request bodies that never end), then asks for more.
            using var attacker = BoundClient.Create(baseAddress, "127.0.0.2", out _);
            held.Add(HoldAsync(attacker, repository, data.ProjectHead, stop.Token));
            held.Add(HoldAsync(attacker, repository, data.ProjectHead, stop.Token));
            using (var refused = await WaitForStatusAsync(attacker, repository, HttpStatusCode.TooManyRequests).WaitAsync(Timeout))
            {
                Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
                Assert.Contains("Too many git requests from your address", await refused.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
            }

            // Meanwhile an honest clone from 127.0.0.1 succeeds.
            using var clones = new TempDirectory("limits-clone");
            var url = new Uri(baseAddress, repository).ToString();
            var honest = await ProcessRunner.RunAsync("git", ["clone", "-q", url, Path.Combine(clones.Path, "a")], Timeout).WaitAsync(Timeout);
            Assert.True(honest.ExitCode == 0, honest.Describe());
            Assert.Equal(data.ProjectHead, TempGitRepo.Run(Path.Combine(clones.Path, "a"), "rev-parse", "HEAD").Trim());

            // A second attacker address takes the last slot: now everyone is refused with 503, and git prints why.
            using var second = BoundClient.Create(baseAddress, "127.0.0.3", out _);
            held.Add(HoldAsync(second, repository, data.ProjectHead, stop.Token));
            using var third = BoundClient.Create(baseAddress, "127.0.0.4", out _);
            using (var busy = await WaitForStatusAsync(third, repository, HttpStatusCode.ServiceUnavailable).WaitAsync(Timeout))
            {
                Assert.Equal(TimeSpan.FromSeconds(7), busy.Headers.RetryAfter?.Delta);
            }

            var refusedClone = await ProcessRunner.RunAsync("git", ["clone", "-q", url, Path.Combine(clones.Path, "b")], Timeout).WaitAsync(Timeout);
            Assert.NotEqual(0, refusedClone.ExitCode);
            Assert.Contains(refusedClone.StandardError, l => l.Contains("serving as many git clones as it can", StringComparison.Ordinal));

            // The holds end: clones work again.
            await stop.CancelAsync();
            await Task.WhenAll(held.Select(h => h.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Timeout);
            var after = await WaitForCloneAsync(url, Path.Combine(clones.Path, "c")).WaitAsync(Timeout);
            Assert.True(after.ExitCode == 0, after.Describe());

            using var admin = BoundClient.Create(baseAddress, "127.0.0.1", out _);
            await AdminSession.FirstSignInAsync(admin, "root", await AdminSession.CreateAsync(storage, "root")).WaitAsync(Timeout);
            Assert.True(await AdminSession.CounterAsync(admin, PortalCounters.UploadPackRefusedPerAddress) >= 1);
            Assert.True(await AdminSession.CounterAsync(admin, PortalCounters.UploadPackRefusedTotal) >= 2);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    /// <summary>
    /// One upload-pack per address with a queue of one: the attacker sends two requests whose bodies stall until the
    /// test releases them; one holds the address's slot and the other waits (counted) instead of being refused, a third
    /// is refused at once (429, Retry-After), an honest clone from 127.0.0.1 goes through, and once the bodies end both
    /// are answered with a pack: the waiting one was served when the slot freed. (Which of the two waits does not
    /// matter, so the test does not depend on which request the portal saw first.)
    /// </summary>
    [Fact]
    public async Task A_request_beyond_the_address_slot_waits_in_a_bounded_queue_and_is_served_when_the_slot_frees()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        var oneTimePassword = await AdminSession.CreateAsync(storage, "root");
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__GitHttp__MaxUploadPacksPerAddress"] = "1",
            ["GitTorrent__GitHttp__UploadPackQueuePerAddress"] = "1",
            ["GitTorrent__GitHttp__UploadPackQueueWait"] = "00:05:00",
            ["GitTorrent__GitHttp__RetryAfter"] = "00:00:07",
        }).WaitAsync(Timeout);
        var repository = $"/{data.AliceId}/project.git";
        var baseAddress = portal.Http.BaseAddress!;
        using var admin = BoundClient.Create(baseAddress, IPAddress.Loopback, out _);
        await AdminSession.FirstSignInAsync(admin, "root", oneTimePassword).WaitAsync(Timeout);
        using var release = new CancellationTokenSource();
        try
        {
            using var attacker = BoundClient.Create(baseAddress, IPAddress.Parse("127.0.0.2"), out _, timeout: System.Threading.Timeout.InfiniteTimeSpan);
            var first = FetchAfterReleaseAsync(attacker, repository, data.ProjectHead, release.Token);
            var second = FetchAfterReleaseAsync(attacker, repository, data.ProjectHead, release.Token);
            var deadline = DateTime.UtcNow + Timeout;
            while (await AdminSession.CounterAsync(admin, PortalCounters.UploadPackWaited) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no request waited for the address's slot");
                await Task.Delay(50);
            }

            // One running, one waiting (neither can finish before its body ends): the queue is full, a third is refused at once.
            using (var refused = await attacker.GetAsync(new Uri(repository + "/info/refs?service=git-upload-pack", UriKind.Relative)).WaitAsync(Timeout))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
            }

            // Another address is not held up.
            using var clones = new TempDirectory("queue-clone");
            var url = new Uri(baseAddress, repository).ToString();
            var honest = await ProcessRunner.RunAsync("git", ["clone", "-q", url, Path.Combine(clones.Path, "a")], Timeout).WaitAsync(Timeout);
            Assert.True(honest.ExitCode == 0, honest.Describe());

            // The bodies end: the running request is answered, frees the slot, and the waiting one is answered after it.
            await release.CancelAsync();
            var answers = await Task.WhenAll(first, second).WaitAsync(Timeout);
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
            Assert.All(answers, a => Assert.True(a.Bytes > 32, $"a pack answer of {a.Bytes} bytes"));
            Assert.Equal(1, await AdminSession.CounterAsync(admin, PortalCounters.UploadPackWaited));
            Assert.True(await AdminSession.CounterAsync(admin, PortalCounters.UploadPackRefusedPerAddress) >= 1);
        }
        finally
        {
            await release.CancelAsync();
        }
    }

    /// <summary>
    /// A gzip body that never ends and inflates to a stream of valid <c>want</c> lines (git would read it forever) is
    /// refused with 413 once the inflated bytes pass the limit.
    /// </summary>
    [Fact]
    public async Task GzipBombIsRefusedWith413WithoutBeingInflatedFully()
    {
        await using var storage = PortalStorage.Sqlite();
        var data = new PortalTestData();
        await data.SeedAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__GitHttp__MaxRequestBodyBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).WaitAsync(Timeout);
        // A raw socket: the portal answers while the body is still being sent, and closes (HttpClient would only see
        // the broken pipe of its send).
        var portalEndPoint = new IPEndPoint(IPAddress.Loopback, portal.Http.BaseAddress!.Port);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await socket.ConnectAsync(portalEndPoint).WaitAsync(Timeout);
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        var head = $"POST /{data.AliceId}/project.git/git-upload-pack HTTP/1.1\r\nHost: {portalEndPoint}\r\n"
            + "Content-Type: application/x-git-upload-pack-request\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).AsTask().WaitAsync(Timeout);
        using var sending = new CancellationTokenSource();
        var bomb = new EndlessGzipStream(Encoding.ASCII.GetBytes($"0032want {data.ProjectHead}\n"));
        var sender = Task.Run(async () =>
        {
            var chunk = new byte[16 * 1024];
            while (!sending.IsCancellationRequested)
            {
                var n = bomb.Read(chunk, 0, chunk.Length);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{n:x}\r\n"), sending.Token);
                await stream.WriteAsync(chunk.AsMemory(0, n), sending.Token);
                await stream.WriteAsync("\r\n"u8.ToArray(), sending.Token);
            }
        });

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!answer.ToString().Contains("bytes", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
            if (n == 0)
            {
                break;
            }

            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        await sending.CancelAsync();
        await sender.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeout);
        Assert.StartsWith("HTTP/1.1 413", answer.ToString(), StringComparison.Ordinal);
        Assert.Contains("larger than 4194304 bytes", answer.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A POST to git-upload-pack whose body trickles want lines until <paramref name="stop"/>; whenever it ends early
    /// (refused because a probe had the slot for a moment, or cut by the server) it asks again, so it ends up holding a
    /// slot for as long as the test needs, however slow the machine.
    /// </summary>
    private static async Task HoldAsync(HttpClient client, string repository, string want, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await HoldOnceAsync(client, repository, want, stop);
            }
            catch (HttpRequestException)
            {
                // Refused while the body was being sent: the portal closed the connection after its answer.
            }
            catch (TaskCanceledException) when (!stop.IsCancellationRequested)
            {
                // the client's own timeout (90 s) on a very slow run: hold again.
            }

            await Task.Delay(50, stop);
        }
    }

    /// <summary>A POST to git-upload-pack whose body trickles want lines until <paramref name="stop"/>.</summary>
    private static async Task HoldOnceAsync(HttpClient client, string repository, string want, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(repository + "/git-upload-pack", UriKind.Relative))
        {
            Content = new StalledContent(Encoding.ASCII.GetBytes($"0032want {want}\n"), stop),
        };
        request.Content.Headers.ContentType = new("application/x-git-upload-pack-request");
        using var response = await client.SendAsync(request, stop);
    }

    /// <summary>
    /// An upload-pack request for <paramref name="want"/> whose body stalls (one <c>want</c> line every 50 ms) until
    /// <paramref name="release"/> fires, then ends with a flush and <c>done</c>; the answer's status and length.
    /// </summary>
    private static async Task<(HttpStatusCode Status, long Bytes)> FetchAfterReleaseAsync(HttpClient client, string repository, string want,
        CancellationToken release)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(repository + "/git-upload-pack", UriKind.Relative))
        {
            Content = new StalledContent(Encoding.ASCII.GetBytes($"0032want {want}\n"), release, Encoding.ASCII.GetBytes("00000009done\n")),
        };
        request.Content.Headers.ContentType = new("application/x-git-upload-pack-request");
        using var response = await client.SendAsync(request, CancellationToken.None);
        var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
        return (response.StatusCode, body.LongLength);
    }

    /// <summary>Asks for the ref advertisement until it is refused with <paramref name="status"/> (the holds have their slots).</summary>
    private static async Task<HttpResponseMessage> WaitForStatusAsync(HttpClient client, string repository, HttpStatusCode status)
    {
        while (true)
        {
            var response = await client.GetAsync(new Uri(repository + "/info/refs?service=git-upload-pack", UriKind.Relative)).WaitAsync(Timeout);
            if (response.StatusCode == status)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50);
        }
    }

    private static async Task<ProcessRunner> WaitForCloneAsync(string url, string target)
    {
        while (true)
        {
            var clone = await ProcessRunner.RunAsync("git", ["clone", "-q", url, target], Timeout).WaitAsync(Timeout);
            if (clone.ExitCode == 0 || !clone.StandardError.Any(l => l.Contains("503", StringComparison.Ordinal) || l.Contains("429", StringComparison.Ordinal)))
            {
                return clone;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Sends <paramref name="line"/> again every 50 ms until cancelled: an upload-pack left waiting for the end of its
    /// request. About 1 KB/s, well above Kestrel's minimum request body rate (240 B/s after a 5 s grace), which cut a
    /// silent body on a slow machine before the test was done with it.
    /// </summary>
    /// <summary>
    /// A body that repeats <paramref name="line"/> every 50 ms until <paramref name="stop"/>; then it fails (the request
    /// is abandoned) or, given an <paramref name="ending"/>, writes it and ends normally.
    /// </summary>
    private sealed class StalledContent(byte[] line, CancellationToken stop, byte[]? ending = null) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var writes = ending is null ? stop : CancellationToken.None;
            while (!stop.IsCancellationRequested || ending is null)
            {
                await stream.WriteAsync(line, writes);
                await stream.FlushAsync(writes);
                try
                {
                    await Task.Delay(50, stop);
                }
                catch (OperationCanceledException) when (ending is not null)
                {
                    break;
                }
            }

            await stream.WriteAsync(ending!, CancellationToken.None);
            await stream.FlushAsync(CancellationToken.None);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Gzip members of 8 MiB of <c>line</c> each (about 8 KiB compressed), repeated forever.</summary>
    private sealed class EndlessGzipStream : Stream
    {
        private readonly byte[] _member;
        private int _offset;

        public EndlessGzipStream(byte[] line)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var block = Enumerable.Repeat(line, 64 * 1024 / line.Length).SelectMany(l => l).ToArray();
                for (var written = 0; written < 8 * 1024 * 1024; written += block.Length)
                {
                    gzip.Write(block);
                }
            }

            _member = buffer.ToArray();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, _member.Length - _offset);
            Array.Copy(_member, _offset, buffer, offset, n);
            _offset = (_offset + n) % _member.Length;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
