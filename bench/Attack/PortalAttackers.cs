using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using GitTorrent.Bench.Clone;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Torrents;
using GitTorrent.TestSupport;

namespace GitTorrent.Bench.Attack;

/// <summary>
/// Issue 11's attackers against the portal, run in a child process (so that their CPU time is their own) over HTTP from
/// 127.0.0.2. Each says "ready" when its attack is in place; the holding ones (blob300, clones50, badrefs) keep going
/// until <c>stop</c>.
/// </summary>
internal static partial class PortalAttackers
{
    public static readonly string[] Names = ["blob300", "signin", "clones50", "badrefs"];

    /// <summary>
    /// Child mode: <c>--portal-attacker NAME BASE-URL PORTAL-ID LIBGIT2-TIP BIG-TIP [PORTAL-DHT REPOSITORY IDENTITY STATE]</c>
    /// (the last four for badrefs); prints "ready", then its CPU seconds last.
    /// </summary>
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
            "badrefs" => BadRefsAsync(IPEndPoint.Parse(args[6]), args[7], args[8], args[9], Ready, stop.Token),
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

    /// <summary>
    /// A daemon user's node on 127.0.0.2 in the portal's DHT, serving <paramref name="repository"/> (the 50 good refs),
    /// publishing a profile that lists them among bad ones: names <c>git check-ref-format</c> refuses, names below a
    /// good ref and below another listed ref (D/F conflicts), and a ref name repeated in the JSON object. It publishes
    /// again every 2 s with a higher seq and new bad names (a new manifest each time) until stopped.
    /// </summary>
    private static async Task BadRefsAsync(IPEndPoint portalDht, string repository, string identityFile, string state, Action ready,
        CancellationToken stop)
    {
        using var identity = UserIdentity.Load(identityFile);
        await using var node = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = state, Bind = ScriptedPeer.AttackerAddress, Bootstrap = [portalDht.ToString()],
        }, null, stop);
        await node.Joined.WaitAsync(stop);
        node.SetRepositories([new ServedRepository(BadRefsRepository, repository)]);
        await node.WaitForServedCommitsAsync(stop);
        await node.AnnounceTipsAsync(stop);
        var good = (await Command.RunAsync("git", ["-C", repository, "for-each-ref", "--format=%(refname) %(objectname)"], null, TimeSpan.FromMinutes(1)))
            .Check("for-each-ref").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => Hash20.Parse(p[1]), StringComparer.Ordinal);
        var random = new Random(42);
        long seq = 0, manifestBytes = 0, stored = 0;
        async Task PublishAsync()
        {
            seq++;
            var refs = new SortedDictionary<string, Hash20>(good, StringComparer.Ordinal);
            var targets = good.Values.ToList();
            Hash20 Target() => targets[random.Next(targets.Count)];
            var tag = random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
            string[] bad =
            [
                $"refs/heads/a{tag}.lock/b", $"refs/heads/.hidden{tag}", $"refs/heads/a..b{tag}", $"refs/heads/a@{{{tag}", $"refs/heads/sp ace{tag}",
                $"refs/heads/ctl\u0001{tag}", $"refs/heads/x~{tag}", $"refs/heads/q?{tag}", $"refs/heads/star*{tag}", $"refs/heads/br[{tag}",
                $"refs/heads/back\\slash{tag}", $"refs/heads/trail{tag}/", $"refs/heads/trail{tag}.", $"refs/heads/end{tag}.lock", "@",
                $"refs/heads//double{tag}", $"refs/heads/colon:{tag}", $"refs/heads/caret^{tag}", "refs/heads/" + new string('l', 300) + tag,
                $"refs/heads/df{tag}", $"refs/heads/df{tag}/below", $"refs/heads/good-00/below{tag}", $"refs/heads/good-{random.Next(50):00}/x/y{tag}",
            ];
            foreach (var name in bad)
            {
                refs[name] = Target();
            }
            refs["refs/heads/dup"] = Target();
            var profile = new UserProfile { Name = "badrefs" };
            profile.Repositories[BadRefsRepository] = refs;
            // A ref name repeated in the object: the JSON writer cannot make one, so the text is edited.
            var json = Encoding.UTF8.GetString(profile.ToJson());
            var dup = $"\"refs/heads/dup\":\"{refs["refs/heads/dup"]}\"";
            json = json.Replace(dup, dup + $",\"refs/heads/dup\":\"{Target()}\"", StringComparison.Ordinal);
            var path = Path.Combine(state, $"manifest-{seq}.json");
            await File.WriteAllTextAsync(path, json, stop);
            manifestBytes += json.Length;
            var metainfo = await TorrentMetainfo.CreateAsync(path, "profile.json", cancellationToken: stop);
            await node.Torrents.AddSeedAsync(metainfo, path, node.Dht, stop);
            var value = new BString(new UserProfile { Name = "badrefs" }.WithManifest(metainfo.InfoHash)).Encode();
            var put = await node.Dht.PutMutableAsync(new MutableItem(value, seq, identity.PublicKey, identity.SignProfile(seq, value), []), null, stop);
            stored += put.Stored;
        }

        await PublishAsync();
        ready();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stop);
                await PublishAsync();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
        Console.Error.WriteLine($"badrefs: {seq} profiles published (50 good refs, 24 bad ones each), {manifestBytes / 1e3:0} kB of manifests, "
            + $"{stored} puts stored, {node.Torrents.GetStatistics().Uploaded / 1e3:0} kB uploaded by the attacker's node");
    }

    /// <summary>The repository name in the badrefs attacker's profile.</summary>
    public const string BadRefsRepository = "badrefs";

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
