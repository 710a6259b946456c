using System.Diagnostics;

namespace GitTorrent.Bench.Replicas;

/// <summary>Counts the database commands this process sends (Npgsql starts one activity per command).</summary>
internal sealed class CommandCounter : IDisposable
{
    private readonly ActivityListener listener;
    private long count;

    public CommandCounter()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStarted = _ => Interlocked.Increment(ref count),
        };
        ActivitySource.AddActivityListener(listener);
    }

    public long Count => Interlocked.Read(ref count);

    public void Dispose() => listener.Dispose();
}
