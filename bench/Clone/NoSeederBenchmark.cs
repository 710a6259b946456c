using System.Globalization;
using System.Text.RegularExpressions;
using GitTorrent.TestSupport;

namespace GitTorrent.Bench.Clone;

/// <summary>
/// Issue 18's scenario: a host-form clone of a repository nobody seeds, on a DHT of one live node and nodes that left,
/// against <c>git clone --bare</c> from the same origin, interleaved. Reports the ratio of medians, the CPU seconds of
/// each clone (git and everything it ran), the helper's DHT lookups, and when the first byte came from the origin.
/// </summary>
internal static partial class NoSeederBenchmark
{
    public static async Task<int> RunAsync(GitHttpServer server, string helperDir, string work, int runs, int departed, TimeSpan latency)
    {
        await using var dht = await PrivateDht.StartAsync(live: 1, departed: departed, oneWayDelay: latency);
        Console.WriteLine($"DHT: 1 live node, {dht.Departed.Count} departed, one-way delay {latency.TotalMilliseconds:0} ms");
        var gtUrl = $"gittorrent://{server.Authority}/git/proj.git";
        var httpUrl = server.UrlOf("proj.git");
        async Task<Command> CloneAsync(string url)
        {
            var (home, target) = CloneEnvironment.NextClone(work);
            var env = CloneEnvironment.For(helperDir, home, dht.Bootstrap);
            var run = (await Command.RunAsync("git", ["clone", "--bare", "-v", "--progress", url, target], env, TimeSpan.FromHours(1)))
                .Check("git clone " + url);
            Directory.Delete(target, true);
            return run;
        }

        await CloneAsync(httpUrl); // warm the page cache for both
        var http = new List<Command>();
        var gt = new List<Command>();
        for (var i = 0; i < runs; i++)
        {
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            // Alternate which goes first, so neither always follows the other's page-cache and CPU state.
            if (i % 2 == 0)
            {
                http.Add(await CloneAsync(httpUrl));
                gt.Add(await CloneAsync(gtUrl));
            }
            else
            {
                gt.Add(await CloneAsync(gtUrl));
                http.Add(await CloneAsync(httpUrl));
            }
            var (h, g) = (http[^1], gt[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {i + 1} (load {load}): http {h.Elapsed.TotalSeconds:0.00} s ({h.Cpu.TotalSeconds:0.00} CPU s, first byte {FirstByte(h):0.00} s), "
                + $"gittorrent {g.Elapsed.TotalSeconds:0.00} s ({g.Cpu.TotalSeconds:0.00} CPU s, {Lookups(g)} lookup(s), "
                + $"origin asked at {OriginAsked(g):0.00} s, first byte {FirstByte(g):0.00} s)"));
            foreach (var line in g.Lines.Where(l => l.Line.StartsWith("DHT joined", StringComparison.Ordinal)
                         || l.Line.StartsWith("no peer has", StringComparison.Ordinal) || l.Line.StartsWith("dht:", StringComparison.Ordinal)))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {line.At.TotalSeconds,5:0.00} s  {line.Line}"));
            }
        }
        var ratio = Median(gt.Select(r => r.Elapsed.TotalSeconds)) / Median(http.Select(r => r.Elapsed.TotalSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"no seeder, median of {runs}: gittorrent {Median(gt.Select(r => r.Elapsed.TotalSeconds)):0.00} s "
            + $"({Median(gt.Select(r => r.Cpu.TotalSeconds)):0.00} CPU s), http {Median(http.Select(r => r.Elapsed.TotalSeconds)):0.00} s "
            + $"({Median(http.Select(r => r.Cpu.TotalSeconds)):0.00} CPU s), ratio {ratio:0.00} (target <= 1.1); "
            + $"lookups {string.Join("/", gt.Select(Lookups))}; first byte from the origin after "
            + $"{Median(gt.Select(FirstByte)):0.00} s (http {Median(http.Select(FirstByte)):0.00} s)"));
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>When git showed the first sign of the pack coming (the server counting objects, or receiving).</summary>
    private static double FirstByte(Command run) =>
        run.FirstAt(l => l.StartsWith("remote: ", StringComparison.Ordinal) || l.StartsWith("Receiving objects", StringComparison.Ordinal))?.TotalSeconds
        ?? double.NaN;

    private static double OriginAsked(Command run) =>
        run.FirstAt(l => l.Contains(" ref(s) from the origin ", StringComparison.Ordinal))?.TotalSeconds ?? double.NaN;

    private static int Lookups(Command run) =>
        run.Lines.LastOrDefault(l => l.Line.StartsWith("dht: ", StringComparison.Ordinal)) is { Line: { } line }
            ? int.Parse(LookupCount().Match(line).Groups[1].Value, CultureInfo.InvariantCulture)
            : -1;

    [GeneratedRegex(@"^dht: (\d+) lookup")]
    private static partial Regex LookupCount();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
