using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using GitTorrent.TestSupport;

namespace GitTorrent.Bench.Attack;

/// <summary>
/// Issue 11's attackers against the portal, run in a child process (so that their CPU time is their own) over HTTP from
/// 127.0.0.2. Each says "ready" when its attack is in place; the holding ones (blob300, clones50) keep going until
/// <c>stop</c>.
/// </summary>
internal static partial class PortalAttackers
{
    public static readonly string[] Names = ["blob300", "signin", "clones50"];

    /// <summary>Child mode: <c>--portal-attacker NAME BASE-URL PORTAL-ID LIBGIT2-TIP BIG-TIP</c>; prints "ready", then its CPU seconds last.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        var (name, baseAddress, portalId, tip, bigTip) = (args[1], new Uri(args[2]), args[3], args[4], args[5]);
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync();
            await stop.CancelAsync();
        });
        using var client = BoundClient(baseAddress);
        void Ready() => Console.WriteLine("ready");
        await (name switch
        {
            "blob300" => BlobAsync(client, portalId, bigTip, Ready, stop.Token),
            "signin" => SignInAsync(client, Ready),
            "clones50" => ClonesAsync(client, portalId, tip, Ready, stop.Token),
            _ => throw new ArgumentException("unknown attacker " + name, nameof(args)),
        });
        Console.WriteLine("cpu " + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Four loops requesting the 300 MB file's page, its /raw bytes (read to the end) and its commit page, until stopped.</summary>
    private static async Task BlobAsync(HttpClient client, string portalId, string bigTip, Action ready, CancellationToken stop)
    {
        string[] paths = [$"/u/{portalId}/big/blob/main/big.bin", $"/raw/{portalId}/big/main/big.bin", $"/u/{portalId}/big/commit/{bigTip}"];
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        long bytes = 0;
        ready();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async n =>
        {
            for (var i = n; !stop.IsCancellationRequested; i++)
            {
                var path = paths[i % paths.Length];
                try
                {
                    var (status, read) = await ReadAllAsync(client, new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative)), stop);
                    Interlocked.Add(ref bytes, read);
                    statuses.AddOrUpdate($"{path.Split('/')[1] switch { "raw" => "raw", _ => path.Contains("/commit/", StringComparison.Ordinal) ? "commit" : "blob" }} {status}", 1, (_, c) => c + 1);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    statuses.AddOrUpdate(stop.IsCancellationRequested ? "stopped" : "error", 1, (_, c) => c + 1);
                }
            }
        }));
        Console.Error.WriteLine($"blob300: {bytes / 1e6:0} MB read; " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
    }

    /// <summary>1,000 wrong sign-ins of the existing admin, each a POST /admin/login with the form's antiforgery token.</summary>
    private static async Task SignInAsync(HttpClient client, Action ready)
    {
        var page = await client.GetStringAsync(new Uri("/admin/login", UriKind.Relative));
        var token = WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value);
        ready();
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 1000; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/login", UriKind.Relative))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["_handler"] = "admin-login", ["__RequestVerificationToken"] = token,
                    ["Input.UserName"] = "admin", ["Input.Password"] = "wrong " + i.ToString(CultureInfo.InvariantCulture),
                }),
            };
            var (status, _) = await ReadAllAsync(client, request, CancellationToken.None);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }
        Console.Error.WriteLine("signin: 1000 wrong sign-ins; " + string.Join(", ", statuses.Select(s => $"{(int)s.Key}: {s.Value}")));
    }

    /// <summary>50 loops, each a smart-HTTP fetch of the whole repository (POST git-upload-pack: want the tip, done; the
    /// response read to the end), again and again until stopped.</summary>
    private static async Task ClonesAsync(HttpClient client, string portalId, string tip, Action ready, CancellationToken stop)
    {
        var body = Encoding.ASCII.GetBytes($"0032want {tip}\n00000009done\n");
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        long bytes = 0;
        ready();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/{portalId}/libgit2.git/git-upload-pack", UriKind.Relative))
                {
                    Content = new ByteArrayContent(body),
                };
                request.Content.Headers.ContentType = new("application/x-git-upload-pack-request");
                string key;
                try
                {
                    var (status, read) = await ReadAllAsync(client, request, stop);
                    Interlocked.Add(ref bytes, read);
                    key = ((int)status).ToString(CultureInfo.InvariantCulture);
                    if (status != HttpStatusCode.OK)
                    {
                        await Task.Delay(100, CancellationToken.None); // refused: ask again shortly, as a client retrying would
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                    key = stop.IsCancellationRequested ? "stopped" : "error";
                }
                statuses.AddOrUpdate(key, 1, (_, c) => c + 1);
            }
        }));
        Console.Error.WriteLine($"clones50: {bytes / 1e6:0} MB read; answers " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
    }

    private static async Task<(HttpStatusCode Status, long Bytes)> ReadAllAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[81920];
            long total = 0;
            for (int read; (read = await stream.ReadAsync(buffer, ct)) > 0;)
            {
                total += read;
            }
            return (response.StatusCode, total);
        }
    }

    /// <summary>An HttpClient whose connections come from the attacker's address (127.0.0.2), not redirected.</summary>
    private static HttpClient BoundClient(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(ScriptedPeer.AttackerAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
