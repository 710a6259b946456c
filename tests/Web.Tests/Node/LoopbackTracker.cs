using System.Net.Http;
using System.Text;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// Debian's opentracker on 127.0.0.1 (whitelist mode: only the one infohash), with a seeder announced into it by an
/// HTTP announce (BEP 3) on its behalf: how aria2, which cannot be given a peer address, finds the portal's port.
/// </summary>
internal sealed class LoopbackTracker : IAsyncDisposable
{
    private const string OpenTracker = "/usr/bin/opentracker";

    private readonly ProcessRunner _process;

    private LoopbackTracker(ProcessRunner process, int port)
    {
        _process = process;
        AnnounceUrl = $"http://127.0.0.1:{port}/announce";
    }

    public string AnnounceUrl { get; }

    public static async Task<LoopbackTracker> StartAsync(string folder, string infoHash, int seederPort)
    {
        Assert.True(File.Exists(OpenTracker), $"{OpenTracker} is missing (Debian package opentracker)");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "whitelist.txt"), infoHash + "\n");
        var port = FreePorts.Tcp();
        var process = ProcessRunner.Start(OpenTracker, ["-i", "127.0.0.1", "-p", $"{port}", "-P", $"{port}", "-d", folder, "-u", "nobody", "-w", "whitelist.txt"]);
        var tracker = new LoopbackTracker(process, port);
        var query = new StringBuilder("?info_hash=");
        foreach (var b in Convert.FromHexString(infoHash))
        {
            query.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        query.Append($"&peer_id=-GT0001-{Guid.NewGuid().ToString("N")[..12]}&port={seederPort}&uploaded=0&downloaded=0&left=0&event=started&compact=1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                var answer = await http.GetByteArrayAsync(new Uri(tracker.AnnounceUrl + query));
                if (Encoding.ASCII.GetString(answer).Contains("5:peers", StringComparison.Ordinal))
                {
                    return tracker;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                await tracker.DisposeAsync();
                Assert.Fail("opentracker did not take the announce:\n" + process.Describe());
            }
            await Task.Delay(200);
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
