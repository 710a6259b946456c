using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GitTorrent.Bench.Clone;
using GitTorrent.Engine.Dht;
using GitTorrent.TestSupport;

// Fresh clone via gittorrent:// (1 daemon, warm DHT, pack cached) vs git clone over smart HTTP (lighttpd + git
// http-backend), interleaved, median of N each; then 8 simultaneous gittorrent clones from 1 seeder: bytes the seeder
// uploads / pack size. Everything on 127.0.0.1 with a private DHT of 10 in-process nodes. With --no-seeder: a host-form
// clone nobody seeds on a DHT of 1 live and --departed nodes that left (NoSeederBenchmark). See README.md.
string? repo = null, bundle = null, branch = null;
var runs = 3;
var parallel = 8;
var noSeeder = false;
var departed = 6;
var latencyMs = 0;
var seeders = 1;
var seederRate = 10L * 1024 * 1024;
string? programs = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--repo": repo = args[++i]; break;
        case "--bundle": bundle = args[++i]; break;
        case "--branch": branch = args[++i]; break;
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--parallel": parallel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--no-seeder": noSeeder = true; break;
        case "--departed": departed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--latency-ms": latencyMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seeders": seeders = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seeder-rate": seederRate = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--programs": programs = Path.GetFullPath(args[++i]); break;
        default:
            Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Clone -- (--repo DIR | --bundle FILE) [--branch main] [--runs 3] [--parallel 8]\n"
                + "       ... [--no-seeder [--departed 6] [--latency-ms 0]] [--seeders 3 [--seeder-rate 10485760]] [--programs DIR]");
            return 2;
    }
}
if (repo is null == (bundle is null))
{
    Console.Error.WriteLine("give exactly one of --repo DIR or --bundle FILE");
    return 2;
}

// --programs DIR: the helper and daemon as README's install publishes them (ReadyToRun), instead of the build output.
var (gittorrent, helperDir) = programs is null ? SeederSetup.Programs(typeof(Command).Assembly)
    : (Path.Combine(programs, "gittorrent.dll"), programs);
if (!File.Exists(gittorrent) || !File.Exists(Path.Combine(helperDir, "git-remote-gittorrent")))
{
    Console.Error.WriteLine($"no gittorrent.dll and git-remote-gittorrent in {helperDir}: build the solution in Release, or publish both there");
    return 2;
}
var work = Path.Combine(Path.GetTempPath(), "gt-bench-clone-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var hour = TimeSpan.FromHours(1);
PrivateDht? dht = null;
Process? daemon = null;
try
{
    // The served repository: a bare clone of the argument, as an HTTP origin and as the daemon's repository.
    var originRoot = Path.Combine(work, "origin");
    Directory.CreateDirectory(originRoot);
    var bare = Path.Combine(originRoot, "proj.git");
    await SeederSetup.CopyBareAsync(Path.GetFullPath(repo ?? bundle!), branch, bare, work);
    var commits = (await Command.RunAsync("git", ["-C", bare, "rev-list", "--count", "--all"], null, hour)).Check("rev-list").Output.Trim();
    var packBytes = Directory.EnumerateFiles(Path.Combine(bare, "objects", "pack"), "*.pack").Sum(f => new FileInfo(f).Length);
    Console.WriteLine($"repository: {repo ?? bundle}: {commits} commits, {packBytes / 1e6:0.0} MB of packs");
    using var server = await GitHttpServer.StartAsync(originRoot);
    if (noSeeder)
    {
        return await NoSeederBenchmark.RunAsync(server, helperDir, work, runs, departed, TimeSpan.FromMilliseconds(latencyMs));
    }

    // A private DHT of 10 nodes.
    dht = await PrivateDht.StartAsync(live: 10);
    var bootstrap = dht.Bootstrap;
    Dictionary<string, string> Env(string home, int btPort = 0) => CloneEnvironment.For(helperDir, home, bootstrap, btPort);

    // One daemon seeding the repository.
    var seederHome = Path.Combine(work, "seeder");
    Directory.CreateDirectory(seederHome);
    (await Command.RunAsync("dotnet", [gittorrent, "keygen"], Env(seederHome), hour)).Check("keygen");
    daemon = await SeederSetup.StartDaemonAsync(gittorrent, originRoot, Env(seederHome, FreePorts.Tcp()));
    var gtUrl = $"gittorrent://{server.Authority}/git/proj.git";
    var httpUrl = server.UrlOf("proj.git");

    async Task<Command> CloneAsync(string url, bool allowOrigin = false)
    {
        var (home, target) = CloneEnvironment.NextClone(work);
        string[] verbose = url.StartsWith("gittorrent", StringComparison.Ordinal) ? ["-v"] : [];
        var run = (await Command.RunAsync("git", ["clone", .. verbose, "--bare", url, target], Env(home), hour)).Check("git clone " + url);
        if (allowOrigin || !run.Output.Contains("from the origin", StringComparison.Ordinal) || url.StartsWith("http", StringComparison.Ordinal))
        {
            Directory.Delete(target, true);
            return run;
        }
        throw new InvalidOperationException("the gittorrent clone used the origin: " + run.Output);
    }

    // Warm-up: the daemon builds and caches the pack, the DHT has the announcements.
    await SeederSetup.WaitAnnouncedAsync(dht.Nodes[0],
        (await Command.RunAsync("git", ["-C", bare, "rev-parse", "HEAD"], null, hour)).Check("rev-parse").Output.Trim());
    // On a loaded machine the pack build outlasts the ask timeout and the warm-up clone takes the origin: wait for the
    // cached pack, then clone once more.
    var warm = await CloneAsync(gtUrl, allowOrigin: true);
    await WaitForCachedPackAsync(seederHome);
    Console.WriteLine($"warm-up gittorrent clone (builds the pack): {warm.Elapsed.TotalSeconds:0.00} s, then {(await CloneAsync(gtUrl)).Elapsed.TotalSeconds:0.00} s");
    await CloneAsync(httpUrl);

    // The floor: git index-pack --stdin of the daemon's cached pack from a local file, plain and with the arguments a
    // gittorrent clone indexes with (--fix-thin, --strict: objects checked, --check-self-contained-and-connected).
    var cachedPack = Directory.EnumerateFiles(Path.Combine(seederHome, "packs"), "*.pack").OrderByDescending(f => new FileInfo(f).Length).First();
    async Task<Command> FloorAsync(string arguments)
    {
        var (_, target) = CloneEnvironment.NextClone(work);
        (await Command.RunAsync("git", ["init", "-q", "--bare", target], null, hour)).Check("git init");
        var run = (await Command.RunAsync("sh", ["-c", $"exec git -C '{target}' index-pack {arguments} < '{cachedPack}'"], null, hour))
            .Check("git index-pack");
        Directory.Delete(target, true);
        return run;
    }

    var http = new List<double>();
    var gt = new List<double>();
    var floor = new List<double>();
    var floorStrict = new List<double>();
    var cpu = new Dictionary<string, List<double>> { ["floor"] = [], ["floor-strict"] = [], ["http"] = [], ["gittorrent"] = [] };
    var oneClone = 0L;
    for (var i = 0; i < runs; i++)
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var f = await FloorAsync("--stdin");
        floor.Add(f.Elapsed.TotalSeconds);
        cpu["floor"].Add(f.Cpu.TotalSeconds);
        var fs = await FloorAsync("--stdin --fix-thin --strict --check-self-contained-and-connected");
        floorStrict.Add(fs.Elapsed.TotalSeconds);
        cpu["floor-strict"].Add(fs.Cpu.TotalSeconds);
        var h = await CloneAsync(httpUrl);
        http.Add(h.Elapsed.TotalSeconds);
        cpu["http"].Add(h.Cpu.TotalSeconds);
        var (uploadedBefore, _) = ReadStats(seederHome);
        var run = await CloneAsync(gtUrl);
        gt.Add(run.Elapsed.TotalSeconds);
        cpu["gittorrent"].Add(run.Cpu.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(6)); // the daemon writes stats.json every few seconds
        oneClone = ReadStats(seederHome).Uploaded - uploadedBefore;
        Console.WriteLine($"run {i + 1} (load {load}): floor {floor[^1]:0.00} s ({f.Cpu.TotalSeconds:0.00} CPU s), floor with our checks "
            + $"{floorStrict[^1]:0.00} s ({fs.Cpu.TotalSeconds:0.00} CPU s), http {http[^1]:0.00} s ({h.Cpu.TotalSeconds:0.00} CPU s), "
            + $"gittorrent {gt[^1]:0.00} s ({run.Cpu.TotalSeconds:0.00} CPU s), seeder uploaded {oneClone / 1e6:0.0} MB");
        // The first pack's lines (with how many other tips it brought), and a count of the packs of the tips it did not
        // hold (one verbose line each).
        var lines = run.Output.Split('\n');
        Console.WriteLine("  " + string.Join("\n  ", lines.Where(l => (l.StartsWith("Received", StringComparison.Ordinal) && !l.EndsWith(')'))
            || (l.StartsWith("pack torrent", StringComparison.Ordinal) && !l.Contains("known peers", StringComparison.Ordinal))
            || l.StartsWith("DHT joined", StringComparison.Ordinal) || l.StartsWith("Also received", StringComparison.Ordinal)
            || (l.StartsWith("Fetching ", StringComparison.Ordinal) && l.Contains("more tip(s)", StringComparison.Ordinal)))));
        var more = lines.Where(l => l.Contains("asked known peers", StringComparison.Ordinal)).ToList();
        if (more.Count > 0)
        {
            // "pack torrent X: asked known peers in A s, download B s, import and verify C s, total D s"
            double Sum(string label) => more.Sum(l => double.Parse(l[(l.IndexOf(label, StringComparison.Ordinal) + label.Length)..].Split(' ')[0],
                CultureInfo.InvariantCulture));
            Console.WriteLine($"  {more.Count} more pack(s) from the first pack's peers; summed over them: asking {Sum("known peers in "):0.0} s, "
                + $"download {Sum("download "):0.0} s, import and verify {Sum("import and verify "):0.0} s");
        }
    }
    var ratio = Median(gt) / Median(http);
    Console.WriteLine($"fresh clone, median of {runs}: gittorrent {Median(gt):0.00} s ({Median(cpu["gittorrent"]):0.00} CPU s), "
        + $"http {Median(http):0.00} s ({Median(cpu["http"]):0.00} CPU s), ratio {ratio:0.00} (target <= 0.85); floor "
        + $"{Median(floor):0.00} s ({Median(cpu["floor"]):0.00} CPU s), gittorrent / floor {Median(gt) / Median(floor):0.00} (target ~1.05), "
        + $"http / floor {Median(http) / Median(floor):0.00}; floor with our checks {Median(floorStrict):0.00} s "
        + $"({Median(cpu["floor-strict"]):0.00} CPU s), gittorrent / that {Median(gt) / Median(floorStrict):0.00}");
    Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

    if (seeders > 1)
    {
        daemon = await RateLimitedSeedersAsync(daemon!);
    }

    // One seeder vs several, each limited to --seeder-rate bytes per second, interleaved: the daemon restarts limited, the
    // others start (same homes, so their packs stay cached) before each several-seeder clone and stop before each one-seeder
    // clone (the DHT still names them: their connections are refused at once). Returns the running first daemon.
    async Task<Process> RateLimitedSeedersAsync(Process first)
    {
        var limited = new Dictionary<string, string> { ["GITTORRENT_MAX_UPLOAD_RATE"] = seederRate.ToString(CultureInfo.InvariantCulture) };
        Dictionary<string, string> LimitedEnv(string home, int port) => new(Env(home, port).Concat(limited));
        first.Kill(true);
        await first.WaitForExitAsync();
        var homes = Enumerable.Range(0, seeders).Select(i => i == 0 ? seederHome : Path.Combine(work, $"seeder{i + 1}")).ToList();
        var ports = homes.Select(_ => FreePorts.Tcp()).ToList();
        foreach (var home in homes.Skip(1))
        {
            Directory.CreateDirectory(home);
            (await Command.RunAsync("dotnet", [gittorrent, "keygen"], Env(home), hour)).Check("keygen");
        }
        var running = new Process?[seeders];
        async Task StartAsync(int i) => running[i] = await SeederSetup.StartDaemonAsync(gittorrent, originRoot, LimitedEnv(homes[i], ports[i]));
        async Task StopAsync(int i)
        {
            if (running[i] is { } p)
            {
                p.Kill(true);
                await p.WaitForExitAsync();
                running[i] = null;
            }
        }
        async Task StopOthersAsync()
        {
            for (var i = 1; i < seeders; i++)
            {
                await StopAsync(i);
            }
        }
        try
        {
            // Warm-up: each seeder alone serves one clone, so each builds and caches the pack. (With all of them running,
            // the clone took the first seeder's answer and went; the others' builds were dropped half way.)
            var warmUps = new List<double>();
            for (var i = 0; i < seeders; i++)
            {
                for (var j = 0; j < seeders; j++)
                {
                    if (j != i)
                    {
                        await StopAsync(j);
                    }
                }
                await StartAsync(i);
                await Task.Delay(TimeSpan.FromSeconds(3));
                warmUps.Add((await CloneAsync(gtUrl, allowOrigin: true)).Elapsed.TotalSeconds);
                await WaitForCachedPackAsync(homes[i]);
            }
            for (var i = 0; i < seeders; i++)
            {
                if (running[i] is null)
                {
                    await StartAsync(i);
                }
            }
            Console.WriteLine($"{seeders} seeders limited to {seederRate / 1048576.0:0.#} MiB/s each, warm-up clones (one per seeder): "
                + string.Join(", ", warmUps.Select(w => $"{w:0.00} s")));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var one = new List<double>();
            var many = new List<double>();
            for (var r = 0; r < runs; r++)
            {
                var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                await StopOthersAsync();
                var single = await CloneAsync(gtUrl);
                one.Add(single.Elapsed.TotalSeconds);
                for (var i = 1; i < seeders; i++)
                {
                    await StartAsync(i);
                }
                await Task.Delay(TimeSpan.FromSeconds(3)); // the restarted daemons re-announce and reseed their cached packs
                var several = await CloneAsync(gtUrl);
                many.Add(several.Elapsed.TotalSeconds);
                string Profile(Command c) => string.Join("; ", c.Output.Split('\n').Where(l => l.StartsWith("pack torrent", StringComparison.Ordinal)
                    || l.StartsWith("Received", StringComparison.Ordinal)).Select(l => l.Trim()));
                Console.WriteLine($"run {r + 1} (load {load}): 1 seeder {one[^1]:0.00} s ({single.Cpu.TotalSeconds:0.00} CPU s), {seeders} seeders "
                    + $"{many[^1]:0.00} s ({several.Cpu.TotalSeconds:0.00} CPU s)\n  1: {Profile(single)}\n  {seeders}: {Profile(several)}");
            }
            Console.WriteLine($"{seeders} seeders vs 1, each limited to {seederRate / 1048576.0:0.#} MiB/s, median of {runs}: {Median(many):0.00} s vs "
                + $"{Median(one):0.00} s, ratio {Median(many) / Median(one):0.00} (target <= 0.4)");
            Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        }
        catch
        {
            running[0]?.Kill(true); // the caller only knows the daemon it passed in, which was stopped above
            throw;
        }
        finally
        {
            await StopOthersAsync();
        }
        return running[0]!;
    }

    if (parallel <= 0)
    {
        return 0;
    }

    // N simultaneous clones from the one seeder.
    await Task.Delay(TimeSpan.FromSeconds(6));
    var (before, packSize) = ReadStats(seederHome);
    var watch = Stopwatch.StartNew();
    var parallelRuns = await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => CloneAsync(gtUrl)));
    watch.Stop();
    await Task.Delay(TimeSpan.FromSeconds(6));
    var (after, _) = ReadStats(seederHome);
    // What one clone moves: the largest pack alone when the repository is one branch, else what the seeder uploaded for
    // the last single clone above (the first pack plus the packs of the other tips).
    var copy = Math.Max(packSize, oneClone);
    foreach (var run in parallelRuns.OrderBy(r => r.Elapsed))
    {
        var profile = run.Output.Split('\n').FirstOrDefault(l => l.StartsWith("pack torrent", StringComparison.Ordinal)) ?? "";
        var sources = run.Output.Split('\n').FirstOrDefault(l => l.StartsWith("Received", StringComparison.Ordinal)) ?? "";
        Console.WriteLine($"  {run.Elapsed.TotalSeconds:0.0} s: {profile[(profile.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()}; "
            + sources[(sources.IndexOf(" from ", StringComparison.Ordinal) + 1)..].Trim());
    }
    Console.WriteLine($"{parallel} simultaneous clones: {watch.Elapsed.TotalSeconds:0.0} s wall (slowest {parallelRuns.Max(r => r.Elapsed.TotalSeconds):0.0} s); "
        + $"seeder uploaded {(after - before) / 1e6:0.0} MB for a {copy / 1e6:0.0} MB clone: ratio {(double)(after - before) / copy:0.00} (target <= 2.0, HTTP 8.0)");
    return 0;
}
finally
{
    await SeederSetup.CleanUpAsync(daemon, dht, work);
}

static async Task WaitForCachedPackAsync(string home)
{
    var packs = Path.Combine(home, "packs");
    var deadline = DateTime.UtcNow.AddMinutes(10);
    while (!(Directory.Exists(packs) && Directory.EnumerateFiles(packs, "*.torrent").Any()))
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("no pack cached in " + packs);
        }
        await Task.Delay(500);
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static (long Uploaded, long PackSize) ReadStats(string home)
{
    using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(home, "stats.json")));
    var packs = doc.RootElement.GetProperty("packs").EnumerateArray().Select(p => p.GetProperty("size").GetInt64()).ToList();
    return (doc.RootElement.GetProperty("uploaded").GetInt64(), packs.Count == 0 ? 0 : packs.Max());
}
