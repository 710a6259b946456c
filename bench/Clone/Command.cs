using System.Diagnostics;
using System.Text;

namespace GitTorrent.Bench.Clone;

/// <summary>
/// A finished program run: exit code, output, wall time, the CPU time of it and everything it started (from this
/// process's reaped children), and each output line with when it appeared (progress rewritten with '\r' counts as lines).
/// </summary>
internal sealed record Command(int ExitCode, string Output, TimeSpan Elapsed, TimeSpan Cpu, IReadOnlyList<(TimeSpan At, string Line)> Lines)
{
    public static async Task<Command> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env,
        TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        var cpuBefore = ChildrenCpu();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var lines = new List<(TimeSpan, string)>();
        var stdout = ReadLinesAsync(process.StandardOutput, watch, lines);
        var stderr = ReadLinesAsync(process.StandardError, watch, lines);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        watch.Stop();
        var output = await stdout + await stderr;
        List<(TimeSpan, string)> ordered;
        lock (lines)
        {
            ordered = [.. lines.OrderBy(l => l.Item1)];
        }
        return new Command(process.ExitCode, output, watch.Elapsed, ChildrenCpu() - cpuBefore, ordered);
    }

    public Command Check(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed ({ExitCode}): {Output}");

    /// <summary>When the first line matching <paramref name="predicate"/> appeared, or null.</summary>
    public TimeSpan? FirstAt(Func<string, bool> predicate) => Lines.FirstOrDefault(l => predicate(l.Line)) is { Line: not null } hit ? hit.At : null;

    private static async Task<string> ReadLinesAsync(StreamReader reader, Stopwatch watch, List<(TimeSpan, string)> lines)
    {
        var all = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            all.Append(buffer, 0, read);
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] is '\n' or '\r')
                {
                    if (line.Length > 0)
                    {
                        lock (lines)
                        {
                            lines.Add((watch.Elapsed, line.ToString()));
                        }
                    }
                    line.Clear();
                }
                else
                {
                    line.Append(buffer[i]);
                }
            }
        }
        return all.ToString();
    }

    /// <summary>User + system CPU of this process's children that have been waited for (/proc/self/stat cutime, cstime).</summary>
    public static TimeSpan ChildrenCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
        var ticks = long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
