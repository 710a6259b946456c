using GitTorrent.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using GitTorrent.Bench.Wire;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

// Wire benchmarks against real clients on loopback. See README.md for the figures and how to read them.
//   dotnet run -c Release --project bench/Wire -- one-to-one [--size-mib 1024] [--rounds 2] [--trace true]
//   dotnet run -c Release --project bench/Wire -- one-to-eight [--size-mib 256] [--super-seeding true|false]
var scenario = args.FirstOrDefault() ?? "one-to-one";
var sizeMib = IntArg("--size-mib", scenario == "one-to-eight" ? 256 : 1024);
var rounds = IntArg("--rounds", 2);
var work = Path.Combine(Path.GetTempPath(), "gt-bench-wire");
Directory.CreateDirectory(Path.Combine(work, "seed"));
var source = Path.Combine(work, "seed", $"bench-{sizeMib}.bin");
if (!File.Exists(source) || new FileInfo(source).Length != sizeMib * 1024L * 1024)
{
    Console.WriteLine($"writing {sizeMib} MiB of test data to {source}");
    WriteData(source, sizeMib * 1024L * 1024);
}
var metainfo = await TorrentMetainfo.CreateAsync(source);
var torrentFile = Path.Combine(work, $"bench-{sizeMib}.torrent");
await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
Console.WriteLine($"torrent {metainfo.InfoHash}: {metainfo.Length} bytes, {metainfo.PieceCount} pieces of {metainfo.PieceLength}");
var script = Path.Combine(AppContext.BaseDirectory, "scripts", "lt_peer.py");
var timeout = TimeSpan.FromMinutes(5);

switch (scenario)
{
    case "one-to-one":
        await OneToOneAsync();
        break;
    case "one-to-eight":
        await OneToEightAsync(BoolArg("--super-seeding", true), StringArg("--leechers", "ours"));
        break;
    default:
        Console.Error.WriteLine("scenarios: one-to-one, one-to-eight");
        return 2;
}
return 0;

async Task OneToOneAsync()
{
    var rows = new List<string>();
    for (var round = 0; round < rounds; round++)
    {
        // libtorrent seeder shared by the two leechers of this round.
        await using (var ltSeed = new External("/usr/bin/python3", [script, "seed", "--save", Path.GetDirectoryName(source)!,
            "--torrent", torrentFile, "--timeout", "900"]))
        {
            var port = int.Parse((await ltSeed.WaitForLineAsync("LISTEN ", timeout))[7..], CultureInfo.InvariantCulture);
            // Wait until it reports seeding ("DONE" in seed mode). Even then it refuses the first connections for up to
            // ~0.7 s: the leecher that goes first is timed on part of the seeder's start-up (ours dials at once and
            // redials; libtorrent's starts a process first). The order alternates, so each side goes first as often.
            await ltSeed.WaitForLineAsync("DONE", timeout);
            var order = round % 2 == 0 ? new[] { "lt", "ours" } : ["ours", "lt"];
            foreach (var who in order)
            {
                var seederCpu0 = ltSeed.CpuSoFar();
                if (who == "lt")
                {
                    var dir = Fresh("lt-leech");
                    await using var leech = new External("/usr/bin/python3", [script, "leech", "--save", dir, "--torrent", torrentFile,
                        "--peer", $"127.0.0.1:{port}", "--timeout", "600"]);
                    await leech.WaitForLineAsync("DONE", timeout);
                    var wall = Stopwatch.GetElapsedTime(leech.Started).TotalSeconds;
                    var (_, cpu, rss) = await leech.WaitForExitAsync(timeout);
                    rows.Add(Row(round, "libtorrent -> libtorrent", wall, cpu, ltSeed.CpuSoFar() - seederCpu0, $"leecher max RSS {rss / 1024} MiB"));
                }
                else
                {
                    var (wall, cpu, heap, ws) = await OurLeechAsync(new IPEndPoint(IPAddress.Loopback, port));
                    rows.Add(Row(round, "libtorrent -> ours", wall, cpu, ltSeed.CpuSoFar() - seederCpu0,
                        $"leecher peak heap {heap / (1024 * 1024)} MiB, working set {ws / (1024 * 1024)} MiB"));
                }
            }
        }
        // aria2c leeching from a libtorrent seeder and from ours, alternating.
        var aria2Order = round % 2 == 0 ? new[] { "lt", "ours" } : ["ours", "lt"];
        foreach (var who in aria2Order)
        {
            var (wall, cpu, seederCpu) = await Aria2LeechAsync(who);
            rows.Add(Row(round, $"{(who == "lt" ? "libtorrent" : "ours")} -> aria2c", wall, cpu, seederCpu, ""));
        }
        Console.WriteLine($"round {round + 1} done");
    }
    Console.WriteLine();
    Console.WriteLine("| round | transfer | wall s | MiB/s | leecher CPU s | seeder CPU s | notes |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    rows.ForEach(Console.WriteLine);
}

async Task<(double Wall, double Cpu, long Heap, long WorkingSet)> OurLeechAsync(IPEndPoint seeder)
{
    var target = Path.Combine(Fresh("our-leech"), metainfo.Name);
    await using var sampler = new HeapSampler();
    await using var engine = new TorrentEngine(new TorrentEngineOptions
    {
        ListenAddress = IPAddress.Loopback, ListenPort = 0, PipelineDepth = IntArg("--depth", new TorrentEngineOptions().PipelineDepth),
        MaxPipelineDepth = IntArg("--max-depth", new TorrentEngineOptions().MaxPipelineDepth),
    });
    await engine.StartAsync(default);
    var sw = Stopwatch.StartNew();
    var download = engine.DownloadAsync(metainfo, target, new StaticPeerDiscovery([seeder]), null, default);
    if (BoolArg("--trace", false))
    {
        // Every 100 ms: MiB downloaded / peers connected / outbound connections held (a start-up stall shows as 0/0/x).
        var line = new System.Text.StringBuilder();
        while (!download.IsCompleted)
        {
            await Task.Delay(100);
            var statistics = engine.GetStatistics();
            line.Append(CultureInfo.InvariantCulture,
                $" {statistics.Downloaded / (1024 * 1024)}/{statistics.Peers}/{engine.GetConnectionStatistics().Outbound}");
        }
        Console.WriteLine("  our leecher, every 100 ms (MiB/peers/dialling):" + line);
    }
    await download.WaitAsync(timeout);
    var wall = sw.Elapsed.TotalSeconds;
    return (wall, sampler.CpuSeconds, sampler.PeakHeapBytes, sampler.PeakWorkingSet);
}

async Task<(double Wall, double Cpu, double SeederCpu)> Aria2LeechAsync(string seederKind)
{
    var dir = Fresh("aria2-leech");
    var aria2Port = FreePorts.Tcp();
    await using var aria2 = new External("/usr/bin/aria2c", [
        "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
        "--bt-external-ip=127.0.0.1", "--disable-ipv6=true", "--summary-interval=0", "--console-log-level=warn",
        $"--listen-port={aria2Port}", "-d", dir, "--file-allocation=none", "--no-conf=true", "--seed-time=0",
        "--bt-save-metadata=false", torrentFile]);
    var aria2End = new IPEndPoint(IPAddress.Loopback, aria2Port);
    await WaitListeningAsync(aria2End);
    if (seederKind == "lt")
    {
        await using var ltSeed = new External("/usr/bin/python3", [script, "seed", "--save", Path.GetDirectoryName(source)!,
            "--torrent", torrentFile, "--peer", aria2End.ToString(), "--timeout", "900"]);
        var (wall, cpu, _) = await aria2.WaitForExitAsync(timeout);
        return (wall, cpu, ltSeed.CpuSoFar());
    }
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    await using var engine = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback, ListenPort = 0 });
    await engine.StartAsync(default);
    await engine.AddSeedAsync(metainfo, source, default);
    await engine.ConnectToPeerAsync(metainfo.InfoHash, aria2End, default);
    var result = await aria2.WaitForExitAsync(timeout);
    return (result.Wall, result.Cpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
}

async Task OneToEightAsync(bool superSeeding, string leecherKind)
{
    Console.WriteLine("| seeder | leechers | seeder uploaded / size | time until all finish s |");
    Console.WriteLine("|---|---|---|---|");
    for (var round = 0; round < rounds; round++)
    {
        var order = round % 2 == 0 ? new[] { "ours", "lt" } : ["lt", "ours"];
        foreach (var who in order)
        {
            var discovery = new StaticPeerDiscovery();
            double ratio;
            double wall;
            if (who == "ours")
            {
                await using var seeder = new TorrentEngine(new TorrentEngineOptions
                {
                    ListenAddress = IPAddress.Loopback, ListenPort = 0, SuperSeeding = superSeeding,
                    UnchokeSlots = IntArg("--slots", 4),
                });
                await seeder.StartAsync(default);
                await seeder.AddSeedAsync(metainfo, source, default);
                discovery.Add(seeder.LocalEndPoint!);
                wall = leecherKind == "libtorrent"
                    ? await EightLibtorrentLeechersAsync(seeder.LocalEndPoint!)
                    : await EightLeechersAsync(discovery);
                ratio = (double)seeder.GetStatistics().Uploaded / metainfo.Length;
            }
            else
            {
                await using var ltSeed = new External("/usr/bin/python3", [script, "seed", "--save", Path.GetDirectoryName(source)!,
                    "--torrent", torrentFile, "--timeout", "900"]);
                var port = int.Parse((await ltSeed.WaitForLineAsync("LISTEN ", timeout))[7..], CultureInfo.InvariantCulture);
                discovery.Add(new IPEndPoint(IPAddress.Loopback, port));
                wall = leecherKind == "libtorrent"
                    ? await EightLibtorrentLeechersAsync(new IPEndPoint(IPAddress.Loopback, port))
                    : await EightLeechersAsync(discovery);
                await Task.Delay(1500); // next STATUS line
                var status = ltSeed.Tail.Split('\n').Last(l => l.StartsWith("STATUS", StringComparison.Ordinal));
                var up = long.Parse(status.Split(' ').First(p => p.StartsWith("up=", StringComparison.Ordinal))[3..], CultureInfo.InvariantCulture);
                ratio = (double)up / metainfo.Length;
            }
            Console.WriteLine($"| {(who == "ours" ? (superSeeding ? "ours (super-seeding)" : "ours") : "libtorrent")} | 8 x {leecherKind} | {ratio:F2} | {wall:F1} |");
        }
    }
}

async Task<double> EightLeechersAsync(StaticPeerDiscovery discovery)
{
    var engines = new List<TorrentEngine>();
    try
    {
        for (var i = 0; i < 8; i++)
        {
            var engine = new TorrentEngine(new TorrentEngineOptions
            {
                ListenAddress = IPAddress.Loopback, ListenPort = 0, PipelineDepth = IntArg("--depth", new TorrentEngineOptions().PipelineDepth),
                MaxPipelineDepth = IntArg("--max-depth", new TorrentEngineOptions().MaxPipelineDepth),
            });
            await engine.StartAsync(default);
            discovery.Add(engine.LocalEndPoint!);
            engines.Add(engine);
        }
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(engines.Select((e, i) =>
            e.DownloadAsync(metainfo, Path.Combine(Fresh($"leech{i}"), metainfo.Name), discovery, null, default))).WaitAsync(timeout);
        return sw.Elapsed.TotalSeconds;
    }
    finally
    {
        foreach (var e in engines)
        {
            await e.DisposeAsync();
        }
    }
}

async Task<double> EightLibtorrentLeechersAsync(IPEndPoint seeder)
{
    var ports = Enumerable.Range(0, 8).Select(_ => FreePorts.Tcp()).ToArray();
    var leechers = new List<External>();
    try
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 8; i++)
        {
            var peers = ports.Where((_, j) => j != i).SelectMany(p => new[] { "--peer", $"127.0.0.1:{p}" });
            leechers.Add(new External("/usr/bin/python3", [script, "leech", "--save", Fresh($"lt-leech{i}"), "--torrent", torrentFile,
                "--port", ports[i].ToString(CultureInfo.InvariantCulture), "--peer", seeder.ToString(), .. peers,
                "--timeout", "600", "--stay", "600"]));
        }
        foreach (var leecher in leechers)
        {
            await leecher.WaitForLineAsync("DONE", timeout);
        }
        return sw.Elapsed.TotalSeconds;
    }
    finally
    {
        foreach (var leecher in leechers)
        {
            await leecher.DisposeAsync();
        }
    }
}

string StringArg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

string Row(int round, string what, double wall, double cpu, double seederCpu, string notes) =>
    $"| {round + 1} | {what} | {wall:F2} | {metainfo.Length / (1024.0 * 1024) / wall:F0} | {cpu:F2} | {seederCpu:F2} | {notes} |";

string Fresh(string name)
{
    var dir = Path.Combine(work, name);
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, true);
    }
    return Directory.CreateDirectory(dir).FullName;
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

bool BoolArg(string name, bool fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? bool.Parse(args[i + 1]) : fallback;
}

static async Task WaitListeningAsync(IPEndPoint endPoint)
{
    for (var i = 0; i < 200; i++)
    {
        try
        {
            using var s = new System.Net.Sockets.TcpClient();
            await s.ConnectAsync(endPoint);
            return;
        }
        catch (System.Net.Sockets.SocketException)
        {
            await Task.Delay(50);
        }
    }
}

static void WriteData(string path, long length)
{
    using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    var buffer = new byte[1 << 20];
    var x = 0x9E3779B97F4A7C15UL;
    for (long written = 0; written < length; written += buffer.Length)
    {
        for (var i = 0; i < buffer.Length; i += 8)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(i), x);
        }
        stream.Write(buffer, 0, (int)Math.Min(buffer.Length, length - written));
    }
}
