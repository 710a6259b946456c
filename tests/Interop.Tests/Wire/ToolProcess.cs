using System.Collections.Concurrent;
using System.Diagnostics;

namespace GitTorrent.Interop.Tests.Wire;

/// <summary>A third-party client under test: output captured line by line, killed (whole tree) on dispose.</summary>
internal sealed class ToolProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private ToolProcess(Process process) => _process = process;

    public string Name { get; private init; } = "";

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Fails the test (never skips) when <paramref name="path"/> is missing.</summary>
    public static void Require(string path, string package)
    {
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing (Debian package {package}). Run ./test.sh, which installs the interop peers.");
        }
    }

    public static ToolProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var tool = new ToolProcess(process) { Name = Path.GetFileName(fileName) };
        process.OutputDataReceived += (_, e) => tool.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => tool.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _lineArrived.Release();
        }
    }

    /// <summary>Waits for an output line matching <paramref name="predicate"/>; fails with the output on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var match = _lines.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }
            if (_process.HasExited && _lineArrived.CurrentCount == 0)
            {
                await Task.Delay(200);
                match = _lines.FirstOrDefault(predicate);
                return match ?? throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) first:\n{Output}");
            }
            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name} did not print the expected line in {timeout}:\n{Output}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit in {timeout}:\n{Output}");
        }
        return _process.ExitCode;
    }

    public string Output => string.Join('\n', _lines.TakeLast(60));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }
        _process.Dispose();
    }
}
