using System.Collections.Concurrent;

namespace GitTorrent.Web.Traffic;

/// <summary>
/// This replica's bytes per repository since the last sample; <see cref="TrafficRecorder"/> takes them out and adds
/// them to the database. One owner per counter: callers only add, the recorder only drains.
/// </summary>
public sealed class TrafficMeter
{
    private readonly ConcurrentDictionary<(string UserId, string Repository), long[]> _pending = new();

    public void Add(string userId, string repository, TrafficKind kind, long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        var counts = _pending.GetOrAdd((userId, repository), _ => new long[3]);
        Interlocked.Add(ref counts[(int)kind], bytes);
    }

    /// <summary>Takes what was counted since the last call, per repository (zero rows left out).</summary>
    public IReadOnlyList<(string UserId, string Repository, TrafficCounts Counts)> Drain()
    {
        var drained = new List<(string, string, TrafficCounts)>();
        foreach (var (key, counts) in _pending)
        {
            var swarm = Interlocked.Exchange(ref counts[(int)TrafficKind.Swarm], 0);
            var http = Interlocked.Exchange(ref counts[(int)TrafficKind.Http], 0);
            var origin = Interlocked.Exchange(ref counts[(int)TrafficKind.Origin], 0);
            if (swarm + http + origin > 0)
            {
                drained.Add((key.UserId, key.Repository, new TrafficCounts(swarm, http, origin)));
            }
        }
        return drained;
    }

    /// <summary>Puts back what could not be written (the database was away), so it goes into the next sample.</summary>
    public void Return(string userId, string repository, TrafficCounts counts)
    {
        Add(userId, repository, TrafficKind.Swarm, counts.Swarm);
        Add(userId, repository, TrafficKind.Http, counts.Http);
        Add(userId, repository, TrafficKind.Origin, counts.Origin);
    }
}
