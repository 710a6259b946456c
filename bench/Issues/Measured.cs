using System.Diagnostics;
using System.Globalization;

namespace GitTorrent.Bench.Issues;

/// <summary>Wall and CPU time (the program's children included) of one program run.</summary>
internal sealed record Measured(TimeSpan Wall, TimeSpan Cpu)
{
    /// <summary>
    /// Runs the program under <c>perf stat -e task-clock</c> (CPU of the program and its children, to the microsecond);
    /// wall time from a stopwatch around it; output goes to /dev/null.
    /// </summary>
    public static async Task<Measured> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var report = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo("perf") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["stat", "-e", "task-clock", "-x", ",", "-o", report, "--", program, .. args])
            {
                psi.ArgumentList.Add(a);
            }
            foreach (var (k, v) in env ?? new Dictionary<string, string>())
            {
                psi.Environment[k] = v;
            }
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var error = await process.StandardError.ReadToEndAsync();
            await output;
            await process.WaitForExitAsync();
            watch.Stop();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {error}");
            }
            var line = File.ReadAllLines(report).FirstOrDefault(l => l.Contains("task-clock", StringComparison.Ordinal))
                ?? throw new InvalidOperationException("perf stat wrote no task-clock line");
            var cpu = double.Parse(line.Split(',')[0], CultureInfo.InvariantCulture);
            return new Measured(watch.Elapsed, TimeSpan.FromMilliseconds(cpu));
        }
        finally
        {
            File.Delete(report);
        }
    }

    public static string Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return Ms(sorted[sorted.Count / 2]);
    }

    public static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
