using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GitTorrent.Bench.Issues;

/// <summary>One <c>wrk --latency</c> run: requests per second, p50 and p99 latency, errors.</summary>
internal sealed partial record Wrk(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, string Errors)
{
    /// <summary>
    /// Runs wrk with a Lua script that asks for <paramref name="paths"/> at random and sends an Authorization header,
    /// which the portal's page cache never serves or stores: every request renders the page.
    /// </summary>
    public static async Task<Wrk> RunAsync(string baseUrl, IReadOnlyList<string> paths, int connections, int seconds, string work)
    {
        var script = Path.Combine(work, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, "local paths = {" + string.Join(",", paths.Select(p => "\"" + p + "\"")) + "}\n"
            + "wrk.headers[\"Authorization\"] = \"Bench uncached\"\n"
            + "request = function() return wrk.format(nil, paths[math.random(#paths)]) end\n");
        var psi = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-t2", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script, baseUrl])
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(Count().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = ErrorLine().Match(output) is { Success: true } e ? e.Value.Trim() : "none";
        return new Wrk(rps, Percentile(output, "50%"), Percentile(output, "99%"), requests, errors);
    }

    private static double Percentile(string output, string which)
    {
        var match = Regex.Match(output, $@"^\s+{Regex.Escape(which)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Count();

    [GeneratedRegex(@"(Socket errors:.*|Non-2xx or 3xx responses: \d+)")]
    private static partial Regex ErrorLine();
}
