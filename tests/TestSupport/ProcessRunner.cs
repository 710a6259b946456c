using System.Collections.Concurrent;
using System.Diagnostics;

namespace GitTorrent.TestSupport;

/// <summary>Runs a real program (usually <c>dotnet some.dll</c>), collecting its output; every wait has a timeout.</summary>
public sealed class ProcessRunner : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> stdout = new();
    private readonly ConcurrentQueue<string> stderr = new();
    private readonly SemaphoreSlim lineArrived = new(0);

    private ProcessRunner(Process process) => this.process = process;

    // Snapshots through ToArray: a spread of a queue the output readers still add to can fail (it sizes, then copies).
    public IReadOnlyList<string> StandardOutput => stdout.ToArray();

    public IReadOnlyList<string> StandardError => stderr.ToArray();

    public IReadOnlyList<string> AllOutput => [.. stdout.ToArray(), .. stderr.ToArray()];

    public bool HasExited => process.HasExited;

    /// <summary>The operating system's process id (for /proc/&lt;id&gt;/status, to <c>kill -9</c> it, or to find it as a lease holder).</summary>
    public int Id => process.Id;

    public int ExitCode => process.ExitCode;

    /// <summary>Fails (never skips) when a program the test needs is missing, naming the Debian package that has it.</summary>
    public static void Require(string path, string package)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} is missing (Debian package {package}). Run ./test.sh, which installs what the tests need.", path);
        }
    }

    public static ProcessRunner Start(
        string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var runner = new ProcessRunner(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                runner.stdout.Enqueue(e.Data);
                runner.lineArrived.Release();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                runner.stderr.Enqueue(e.Data);
                runner.lineArrived.Release();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>Runs to completion; throws <see cref="TimeoutException"/> (after killing it) if it does not exit in time.</summary>
    public static async Task<ProcessRunner> RunAsync(
        string fileName, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var runner = Start(fileName, args, environment, workingDirectory);
        await runner.WaitForExitAsync(timeout);
        return runner;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not exit within {timeout}. Output:\n{Describe()}");
        }

        // WaitForExit without a timeout drains the redirected streams after exit.
        process.WaitForExit();
    }

    /// <summary>Waits for a line of output (stdout or stderr) matching <paramref name="predicate"/>; fails with the output on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (AllOutput.FirstOrDefault(predicate) is { } match)
            {
                return match;
            }
            if (process.HasExited)
            {
                process.WaitForExit(); // drains the redirected streams
                return AllOutput.FirstOrDefault(predicate)
                    ?? throw new InvalidOperationException($"{process.StartInfo.FileName} exited ({process.ExitCode}) first:\n{Describe()}");
            }
            try
            {
                await lineArrived.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{process.StartInfo.FileName} did not print the expected line in {timeout}:\n{Describe()}");
            }
        }
    }

    /// <summary>Kills the whole tree and waits up to <paramref name="timeout"/> for it to go (for a synchronous Dispose).</summary>
    public void Stop(TimeSpan timeout)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(timeout);
            }
        }
        catch (InvalidOperationException)
        {
            // never started, or already gone
        }
    }

    public async Task StopAsync(TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
    }

    public string Describe() => string.Join('\n', AllOutput);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(20));
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        process.Dispose();
        lineArrived.Dispose();
    }
}
