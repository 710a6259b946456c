using System.Diagnostics;
using System.Globalization;
using System.Net;
using GitTorrent.Bench.Attack;
using GitTorrent.Bench.Clone;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;
using GitTorrent.TestSupport;

// Issue 11's attack bench: one `gittorrent daemon` seeds a bare copy of the repository; for each attacker (run in a
// child process from 127.0.0.2, so that its CPU time is its own), an honest gittorrent:// clone without the attack and
// one during it, with the daemon's peak RSS (its process tree), CPU seconds and disk growth, the attacker's CPU seconds
// and whether the honest clone got every ref. See README.md.
if (args.Length > 0 && args[0] == "--attacker")
{
    return await AttackerMainAsync(args);
}
if (args.Length > 0 && args[0] == "--portal-attacker")
{
    return await PortalAttackers.MainAsync(args);
}
string? bundle = null, branch = null;
string[] attacks = [.. Attackers.Names, .. PortalAttackers.Names];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--bundle": bundle = args[++i]; break;
        case "--branch": branch = args[++i]; break;
        case "--attacks": attacks = args[++i].Split(','); break;
        default:
            Console.Error.WriteLine($"usage: dotnet run -c Release --project bench/Attack -- --bundle FILE [--branch main] [--attacks {string.Join(',', [.. Attackers.Names, .. PortalAttackers.Names])}]");
            return 2;
    }
}
if (bundle is null || attacks.Except([.. Attackers.Names, .. PortalAttackers.Names]).Any())
{
    Console.Error.WriteLine("give --bundle FILE; attackers: " + string.Join(',', [.. Attackers.Names, .. PortalAttackers.Names]));
    return 2;
}

var (gittorrent, helperDir) = SeederSetup.Programs(typeof(Attackers).Assembly);
var work = Path.Combine(Path.GetTempPath(), "gt-bench-attack-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var hour = TimeSpan.FromHours(1);
PrivateDht? dht = null;
Process? daemon = null;
try
{
    var portalAttacks = attacks.Intersect(PortalAttackers.Names).ToList();
    if (portalAttacks.Count > 0)
    {
        var web = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(gittorrent)!, "../../../../../Web/bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(gittorrent)))!, "net10.0/GitTorrent.Web.dll"));
        await PortalBench.RunAsync(bundle, branch, portalAttacks, work, web);
        attacks = [.. attacks.Except(PortalAttackers.Names)];
        if (attacks.Length == 0)
        {
            return 0;
        }
    }
    var originRoot = Path.Combine(work, "origin");
    Directory.CreateDirectory(originRoot);
    var bare = Path.Combine(originRoot, "proj.git");
    await SeederSetup.CopyBareAsync(Path.GetFullPath(bundle), branch, bare, work);
    var tip = (await Command.RunAsync("git", ["-C", bare, "rev-parse", "HEAD"], null, hour)).Check("rev-parse").Output.Trim();
    var commitsFile = Path.Combine(work, "commits.txt");
    File.WriteAllText(commitsFile, (await Command.RunAsync("git", ["-C", bare, "rev-list", "--max-count=5000", "HEAD"], null, hour)).Check("rev-list").Output);
    var refs = (await Command.RunAsync("git", ["-C", bare, "for-each-ref", "--format=%(objectname) %(refname)"], null, hour)).Check("for-each-ref").Output;
    Console.WriteLine($"repository: {bundle}{(branch is null ? "" : " (" + branch + ")")}, tip {tip}");
    using var server = await GitHttpServer.StartAsync(originRoot);

    dht = await PrivateDht.StartAsync(live: 10);
    var bootstrap = dht.Bootstrap;
    Dictionary<string, string> Env(string home, int btPort = 0) => CloneEnvironment.For(helperDir, home, bootstrap, btPort);

    var seederHome = Path.Combine(work, "seeder");
    Directory.CreateDirectory(seederHome);
    (await Command.RunAsync("dotnet", [gittorrent, "keygen"], Env(seederHome), hour)).Check("keygen");
    var btPort = FreePorts.Tcp();
    var dhtPort = FreePorts.Udp();
    var daemonEnvironment = Env(seederHome, btPort);
    daemonEnvironment["GITTORRENT_DHT_PORT"] = dhtPort.ToString(CultureInfo.InvariantCulture);
    daemon = await SeederSetup.StartDaemonAsync(gittorrent, originRoot, daemonEnvironment);
    var gtUrl = $"gittorrent://{server.Authority}/git/proj.git";
    var seederEndPoint = new IPEndPoint(IPAddress.Loopback, btPort);
    var dhtEndPoint = new IPEndPoint(IPAddress.Loopback, dhtPort);

    // An honest clone: its time, and whether it has every ref of the served repository (nothing lost).
    async Task<(double Seconds, bool Complete, string Error)> CloneAsync()
    {
        var (home, target) = CloneEnvironment.NextClone(work);
        var run = await Command.RunAsync("git", ["clone", "-q", "--bare", gtUrl, target], Env(home), TimeSpan.FromMinutes(10));
        var complete = run.ExitCode == 0
            && (await Command.RunAsync("git", ["-C", target, "for-each-ref", "--format=%(objectname) %(refname)"], null, hour)).Output == refs;
        if (Directory.Exists(target))
        {
            Directory.Delete(target, true);
        }
        return (run.Elapsed.TotalSeconds, complete, run.ExitCode == 0 ? "" : run.Output.Trim().Split('\n')[^1]);
    }

    await SeederSetup.WaitAnnouncedAsync(dht.Nodes[0], tip);
    var warm = await CloneAsync();
    Console.WriteLine($"warm-up clone (builds the pack): {warm.Seconds:0.0} s, complete: {warm.Complete} {warm.Error}");
    Console.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine(AttackRound.Header);
    foreach (var attack in attacks)
    {
        var countersBefore = new Dictionary<string, double>();
        var (row, attackerLog) = await AttackRound.RunAsync(attack, daemon.Id, seederHome, CloneAsync,
            ["--attacker", attack, seederEndPoint.ToString(), dhtEndPoint.ToString(), tip, commitsFile], async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(6)); // the daemon rewrites stats.json every 5 s
                countersBefore = Counters(seederHome);
            });
        Console.WriteLine(row);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var counters = Counters(seederHome);
        var changed = counters.Where(c => c.Value != countersBefore.GetValueOrDefault(c.Key))
            .Select(c => $"{c.Key} +{c.Value - countersBefore.GetValueOrDefault(c.Key)}");
        Console.Error.WriteLine($"  attacker {attack}: {attackerLog}; daemon counters: {string.Join(", ", changed)}; "
            + $"load {File.ReadAllText("/proc/loadavg").Trim()}");
    }
    return 0;
}
finally
{
    await SeederSetup.CleanUpAsync(daemon, dht, work);
}

// Child mode: runs one attacker, says "ready" when its attack is in place, stops the holding ones when stdin closes,
// and prints its own CPU seconds last.
static async Task<int> AttackerMainAsync(string[] args)
{
    var name = args[1];
    var seeder = IPEndPoint.Parse(args[2]);
    var dht = IPEndPoint.Parse(args[3]);
    var tip = Hash20.Parse(args[4]);
    var commits = File.ReadAllLines(args[5]).Where(l => l.Length == 40).Select(Hash20.Parse).ToList();
    using var stop = new CancellationTokenSource();
    var stdin = Task.Run(async () =>
    {
        await Console.In.ReadToEndAsync();
        await stop.CancelAsync();
    });
    await Attackers.RunAsync(name, seeder, dht, tip, commits, () => Console.WriteLine("ready"), stop.Token);
    Console.WriteLine("cpu " + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture));
    return 0;
}

// The daemon's counters (stats.json), flattened: "limits.refusedPerAddress" and so on.
static Dictionary<string, double> Counters(string home)
{
    var counters = new Dictionary<string, double>();
    void Walk(System.Text.Json.JsonElement element, string prefix)
    {
        if (element.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, prefix.Length == 0 ? property.Name : prefix + "." + property.Name);
            }
        }
        else if (element.ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            counters[prefix] = element.GetDouble();
        }
    }
    using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(home, "stats.json")));
    Walk(document.RootElement, "");
    return counters;
}
