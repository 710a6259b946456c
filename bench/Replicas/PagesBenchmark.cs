using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GitTorrent.TestSupport;
using GitTorrent.Bench.Indexer;


namespace GitTorrent.Bench.Replicas;

/// <summary>
/// Page throughput through nginx (the shipped configuration, ip_hash) with 1, 2 and 3 portal replicas over one
/// PostgreSQL, interleaved, with clients from many loopback networks so ip_hash spreads them; a whole-page-cached page
/// and the same page missing the cache. Reports requests per second, p50/p99, CPU per request (replicas + nginx) and
/// database transactions per request, after the idle rate of the replicas' background work (job polling, leases) is
/// measured and subtracted; then transactions per mirror sync.
/// </summary>
internal static class PagesBenchmark
{
    public static async Task<int> RunAsync(string server, int seconds, int connections)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(60));
        var ct = cts.Token;
        await using var database = await BenchDatabase.CreateAsync(server, ct);
        using var work = new TempDirectory("bench-pages");
        using var source = new TempGitRepo();
        for (var d = 0; d < 10; d++)
        {
            for (var f = 0; f < 20; f++)
            {
                Directory.CreateDirectory(Path.Combine(source.Root, "src", $"dir{d}"));
                await File.WriteAllTextAsync(Path.Combine(source.Root, "src", $"dir{d}", $"file{f}.c"),
                    string.Concat(Enumerable.Range(0, 60).Select(n => $"int f{d}_{f}_{n}(void) {{ return {n}; }}\n")), ct);
            }
        }

        source.Git("add", "-A");
        source.Commit("README.md", "# bench\n");
        var originRoot = Path.Combine(work.Path, "origin");
        Directory.CreateDirectory(originRoot);
        TempGitRepo.Run(originRoot, "clone", "-q", "--bare", source.Root, Path.Combine(originRoot, "bench.git"));
        using var origin = await GitHttpServer.StartAsync(originRoot);

        var web = RepositoryLayout.Output("src/Web", "GitTorrent.Web.dll");
        Dictionary<string, string?> Environment(string data) => new()
        {
            ["GitTorrent__DataDir"] = data,
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = null,
            ["GitTorrent__Bootstrap"] = "",
            ["GitTorrent__DhtPort"] = "0",
            ["GitTorrent__BtPort"] = "0",
            ["GitTorrent__Bind"] = "127.0.0.1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var folders = Enumerable.Range(0, 3).Select(i => Path.Combine(work.Path, $"replica{i}")).ToList();
        await CommandAsync(web, Environment(folders[0]), "mirror", "add", origin.UrlOf("bench.git"), "--name", "bench", "--interval", "1h");
        foreach (var folder in folders)
        {
            await CommandAsync(web, Environment(folder), "mirror", "sync", "bench"); // each replica's own store
        }

        var portalId = (await CommandAsync(web, Environment(folders[0]), "whoami")).StandardOutput.Single();
        var replicas = new List<(ProcessRunner Runner, int Port)>();
        try
        {
            foreach (var folder in folders)
            {
                var port = FreePorts.Tcp();
                replicas.Add((ProcessRunner.Start("dotnet", [web, "--urls", $"http://127.0.0.1:{port}"], Environment(folder), Path.GetDirectoryName(web)), port));
            }

            using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                foreach (var (runner, port) in replicas)
                {
                    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
                    while (true)
                    {
                        try
                        {
                            using var response = await probe.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), ct);
                            if (response.IsSuccessStatusCode)
                            {
                                break;
                            }
                        }
                        catch (HttpRequestException) when (DateTime.UtcNow < deadline && !runner.HasExited)
                        {
                        }

                        if (DateTime.UtcNow > deadline || runner.HasExited)
                        {
                            throw new InvalidOperationException("a replica did not start:\n" + runner.Describe());
                        }

                        await Task.Delay(200, ct);
                    }
                }
            }

            var page = $"/u/{portalId}/bench/tree/main/src/dir3";
            await using (var warm = await NginxProxy.StartAsync(replicas.Select(r => r.Port), TimeSpan.FromSeconds(30)))
            {
                await LoadAsync(warm.BaseAddress, page, false, connections, TimeSpan.FromSeconds(5), ct);
                await LoadAsync(warm.BaseAddress, page, true, connections, TimeSpan.FromSeconds(5), ct);
            }

            // Idle: what the replicas' background work (job polling and leases, swarm rounds) costs the database.
            await Task.Delay(BenchDatabase.StatsSettle, ct);
            var idleStart = await database.TransactionsAsync(ct);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            await Task.Delay(BenchDatabase.StatsSettle, ct);
            var idleRate = (await database.TransactionsAsync(ct) - idleStart) / idleClock.Elapsed.TotalSeconds;
            Console.WriteLine($"idle: {idleRate:F1} transactions/s for 3 replicas ({idleRate / 3:F1} per replica: job polls, claims, renewals, swarm rounds)");

            Console.WriteLine($"| replicas | page | req/s | p50 ms | p99 ms | errors | CPU ms/req (replicas+nginx) | DB transactions/req | load |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var round in new[] { 1, 2 })
            {
                foreach (var n in new[] { 1, 2, 3 })
                {
                    foreach (var uncached in new[] { false, true })
                    {
                        await using var nginx = await NginxProxy.StartAsync(replicas.Take(n).Select(r => r.Port), TimeSpan.FromSeconds(30));
                        var pids = replicas.Select(r => r.Runner.Id).Append(nginx.ProcessId).Concat(Children(nginx.ProcessId)).ToList();
                        var cpu = pids.Sum(Load.CpuSeconds);
                        var before = await database.TransactionsAsync(ct);
                        var clock = Stopwatch.StartNew();
                        var result = await LoadAsync(nginx.BaseAddress, page, uncached, connections, TimeSpan.FromSeconds(seconds), ct);
                        var cpuMs = (pids.Sum(Load.CpuSeconds) - cpu) * 1000;
                        await Task.Delay(BenchDatabase.StatsSettle, ct);
                        var transactions = await database.TransactionsAsync(ct) - before - idleRate * clock.Elapsed.TotalSeconds;
                        Console.WriteLine($"| {n} | {(uncached ? "tree, uncached" : "tree, cached")} | {result.Count / (double)seconds:F0} | {result.P50:F1} | {result.P99:F1} | "
                            + $"{result.Errors} | {cpuMs / Math.Max(1, result.Count):F2} | {Math.Max(0, transactions) / Math.Max(1, result.Count):F3} | {Load.Describe()} |");
                    }
                }
            }

            // Transactions per mirror sync: five syncs asked for through the jobs, minus the idle rate.
            await Task.Delay(BenchDatabase.StatsSettle, ct);
            var syncStart = await database.TransactionsAsync(ct);
            var syncClock = Stopwatch.StartNew();
            for (var i = 0; i < 5; i++)
            {
                await CommandAsync(web, Environment(folders[i % 3]), "mirror", "sync", "bench");
            }

            await Task.Delay(BenchDatabase.StatsSettle, ct);
            var perSync = (await database.TransactionsAsync(ct) - syncStart - idleRate * syncClock.Elapsed.TotalSeconds) / 5;
            Console.WriteLine($"mirror sync (command, with its migration check and profile write): {perSync:F0} transactions each");
            return 0;
        }
        finally
        {
            foreach (var (runner, _) in replicas)
            {
                await runner.DisposeAsync();
            }
        }
    }

    private static async Task<ProcessRunner> CommandAsync(string web, Dictionary<string, string?> environment, params string[] args)
    {
        var run = await ProcessRunner.RunAsync("dotnet", [web, .. args], TimeSpan.FromMinutes(5), environment, Path.GetDirectoryName(web));
        return run.ExitCode == 0 ? run : throw new InvalidOperationException($"{string.Join(' ', args)} failed:\n{run.Describe()}");
    }

    private static IEnumerable<int> Children(int parent) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => int.TryParse(d, out _)).Select(int.Parse!)
            .Where(pid =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture) == parent;
                }
                catch (IOException)
                {
                    return false;
                }
            }).ToList();

    private sealed record LoadResult(int Count, int Errors, double P50, double P99);

    /// <summary>Keeps <paramref name="connections"/> clients busy, each from a loopback network of its own.</summary>
    private static async Task<LoadResult> LoadAsync(Uri proxy, string page, bool uncached, int connections, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(duration);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
        {
            var source = IPAddress.Parse($"127.0.{10 + i}.2");
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (context, token) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }) { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(30) };
            var random = new Random(i);
            while (!stop.IsCancellationRequested)
            {
                var url = uncached ? $"{page}?page={random.Next(1, 30_000)}" : page;
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await client.GetAsync(new Uri(url, UriKind.Relative), stop.Token);
                    await response.Content.ReadAsByteArrayAsync(stop.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }

                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }, ct)));
        var sorted = latencies.Order().ToList();
        double Percentile(double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p / 100 * sorted.Count))];
        return new LoadResult(sorted.Count, errors, Percentile(50), Percentile(99));
    }
}
