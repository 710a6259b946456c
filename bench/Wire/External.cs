using System.Diagnostics;
using System.Globalization;

namespace GitTorrent.Bench.Wire;

/// <summary>A third-party peer run under <c>/usr/bin/time</c> so its wall, CPU and peak RSS are known at exit.</summary>
internal sealed class External : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly string _timeFile = Path.GetTempFileName();

    public External(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["-o", _timeFile, "-f", "%e %U %S %M", fileName, .. arguments])
        {
            info.ArgumentList.Add(a);
        }
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Started = Stopwatch.GetTimestamp();
    }

    public long Started { get; }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _lines.Add(line);
        }
    }

    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                var line = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
            }
            if (_process.HasExited)
            {
                break;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no '{prefix}' line:\n{string.Join('\n', _lines.TakeLast(30))}");
    }

    /// <summary>Waits for exit; returns (wall s, cpu s, max RSS KiB) as measured by /usr/bin/time.</summary>
    public async Task<(double Wall, double Cpu, long RssKiB)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        var parts = (await File.ReadAllTextAsync(_timeFile)).Trim().Split('\n')[^1].Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture),
            double.Parse(parts[1], CultureInfo.InvariantCulture) + double.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    /// <summary>CPU seconds the child (below /usr/bin/time) used so far, from /proc.</summary>
    public double CpuSoFar()
    {
        try
        {
            var child = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children").Trim().Split(' ')[0];
            var stat = File.ReadAllText($"/proc/{child}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }

    public string Tail => string.Join('\n', _lines.TakeLast(20));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        File.Delete(_timeFile);
    }
}
