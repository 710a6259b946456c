using System.Diagnostics;

namespace GitTorrent.Bench.Clone;

/// <summary>A finished program run: exit code, output and wall time.</summary>
internal sealed record Command(int ExitCode, string Output, TimeSpan Elapsed)
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
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
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
        return new Command(process.ExitCode, await stdout + await stderr, watch.Elapsed);
    }

    public Command Check(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed ({ExitCode}): {Output}");
}
