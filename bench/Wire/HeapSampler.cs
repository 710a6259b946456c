using System.Diagnostics;

namespace GitTorrent.Bench.Wire;

/// <summary>Samples this process's managed heap and CPU while a scenario runs.</summary>
internal sealed class HeapSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;

    public HeapSampler()
    {
        GC.Collect();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                PeakHeapBytes = Math.Max(PeakHeapBytes, GC.GetTotalMemory(false));
                PeakWorkingSet = Math.Max(PeakWorkingSet, Environment.WorkingSet);
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public long PeakHeapBytes { get; private set; }

    public long PeakWorkingSet { get; private set; }

    public double CpuSeconds => (Process.GetCurrentProcess().TotalProcessorTime - _cpuStart).TotalSeconds;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
    }
}
