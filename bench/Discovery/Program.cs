using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;

// Discovery of users (issue 13): a real portal (Release build, SQLite) joins a loopback DHT of our nodes; N users who
// registered no name put their signed profiles once, each from a random node; the portal is polled through /api/users
// until it lists all of them or the time is up. Reports the time to 10/50/90/100 %, the fraction listed at the end, the
// portal's CPU seconds and the machine load.
var users = Option("--users", 1000);
var nodeCount = Option("--nodes", 200);
var minutes = Option("--minutes", 10);
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(minutes + 15));
var ct = cts.Token;
using var work = new TempDirectory("bench-discovery");
Console.WriteLine($"load at start: {Load()}");

var build = Stopwatch.StartNew();
var nodes = new List<DhtNode>(nodeCount);
for (var i = 0; i < nodeCount; i++)
{
    nodes.Add(await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback, QueryTimeout = TimeSpan.FromSeconds(1) }, null, ct));
}
var random = new Random(1);
for (var i = 1; i < nodeCount; i++)
{
    for (var j = 0; j < Math.Min(3, i); j++)
    {
        await nodes[i].AddNode(nodes[random.Next(i)].LocalEndPoint, ct);
    }
}
for (var pass = 0; pass < 2; pass++)
{
    await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
        async (node, token) => await node.BootstrapAsync(token));
}
Console.WriteLine($"network: {nodeCount} nodes in {build.Elapsed.TotalSeconds:0.0} s");

// The portal: its node bootstraps from three of them, as a portal on the real network would from the routers.
var web = RepositoryLayout.Output("src/Web", "GitTorrent.Web.dll");
var port = FreePorts.Tcp();
var portal = ProcessRunner.Start("dotnet", [web, "--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string?>
{
    ["GitTorrent__DataDir"] = Path.Combine(work.Path, "portal"),
    ["ConnectionStrings__Postgres"] = null,
    ["ASPNETCORE_ENVIRONMENT"] = "Production",
    ["ASPNETCORE_URLS"] = null,
    ["GitTorrent__Bitcoin__Rpc"] = null,
    ["GitTorrent__Bootstrap"] = string.Join(',', nodes.Take(3).Select(n => $"127.0.0.1:{n.LocalEndPoint.Port}")),
    ["GitTorrent__DhtPort"] = "0",
    ["GitTorrent__BtPort"] = "0",
    ["GitTorrent__Bind"] = "127.0.0.1",
    ["GitTorrent__UsersFeedSettle"] = "00:00:00",
    ["Logging__LogLevel__Default"] = "Warning",
}, Path.GetDirectoryName(web));
await using var portalRunner = portal;
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
var started = Stopwatch.StartNew();
while (true)
{
    try
    {
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative), ct);
        if (health.IsSuccessStatusCode)
        {
            break;
        }
    }
    catch (HttpRequestException) when (!portal.HasExited && started.Elapsed < TimeSpan.FromMinutes(3))
    {
    }
    if (portal.HasExited || started.Elapsed > TimeSpan.FromMinutes(3))
    {
        throw new InvalidOperationException("the portal did not start:\n" + portal.Describe());
    }
    await Task.Delay(250, ct);
}
Console.WriteLine($"portal up in {started.Elapsed.TotalSeconds:0.0} s");
var cpuBefore = CpuSeconds(portal.Id);

// N users put their profiles once (no names), each from a random node of the network.
var commit = Hash20.Parse("5fbfea8de70ddc686dafdd24b690893f98eb9475");
var ids = new string[users];
var publish = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
{
    using var identity = UserIdentity.Generate();
    var profile = new UserProfile { Name = $"bench user {i}" };
    profile.Repositories[$"repo{i}"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
    var value = new BString(profile.ToJson()).Encode();
    var item = new MutableItem(value, 1, identity.PublicKey, identity.SignProfile(1, value), []);
    await nodes[(i * 7919 + 1) % nodeCount].PutMutableAsync(item, null, token);
    ids[i] = identity.UserId.ToString();
});
Console.WriteLine($"published {users} profiles in {publish.Elapsed.TotalSeconds:0.0} s");

var wanted = ids.ToHashSet(StringComparer.Ordinal);
var clock = Stopwatch.StartNew();
var marks = new SortedDictionary<int, double>();
var listed = 0;
var lastReport = TimeSpan.Zero;
while (clock.Elapsed < TimeSpan.FromMinutes(minutes))
{
    listed = (await FeedAsync(http, ct)).Count(wanted.Contains);
    foreach (var percent in new[] { 10, 50, 90, 100 })
    {
        if (listed * 100 >= percent * users && !marks.ContainsKey(percent))
        {
            marks[percent] = clock.Elapsed.TotalSeconds;
        }
    }
    if (listed == users)
    {
        break;
    }
    if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(30))
    {
        lastReport = clock.Elapsed;
        Console.WriteLine($"  {clock.Elapsed.TotalSeconds:0} s: {listed}/{users} listed, load {Load()}");
    }
    await Task.Delay(2000, ct);
}
var cpu = CpuSeconds(portal.Id) - cpuBefore;
using (var metrics = await http.GetAsync(new Uri("metrics", UriKind.Relative), ct))
{
    foreach (var line in (await metrics.Content.ReadAsStringAsync(ct)).Split('\n').Where(l => l.StartsWith("gittorrent_discovery_ids_total{", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal)))
    {
        Console.WriteLine($"  {line}");
    }
}
Console.WriteLine($"| users | nodes | listed after {clock.Elapsed.TotalMinutes:0.0} min | 10 % | 50 % | 90 % | 100 % | portal CPU s | load at end |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
Console.WriteLine($"| {users} | {nodeCount} | {listed} ({100.0 * listed / users:0.0} %) | {Mark(10)} | {Mark(50)} | {Mark(90)} | {Mark(100)} | {cpu:0.0} | {Load()} |");

await portal.StopAsync(TimeSpan.FromSeconds(30));
await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
return listed == users ? 0 : 2;

string Mark(int percent) => marks.TryGetValue(percent, out var s) ? $"{s:0} s" : "not reached";

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

static double CpuSeconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static async Task<List<string>> FeedAsync(HttpClient http, CancellationToken ct)
{
    var ids = new List<string>();
    string? next = null;
    do
    {
        var url = "api/users?limit=1000" + (next is null ? "" : "&after=" + Uri.EscapeDataString(next));
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, UriKind.Relative), ct));
        ids.AddRange(document.RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()!));
        next = document.RootElement.GetProperty("next").GetString();
    }
    while (next is not null);
    return ids;
}
