using System.Threading.Channels;
using GitTorrent.Engine;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Ids waiting for a DHT lookup (from feeds and requests), each once, at most <see cref="DiscoveryOptions.DiscoveryQueueLimit"/>:
/// beyond it an id is dropped and counted. Nothing here is stored anywhere: an id only reaches the database when its
/// profile is found and verified (<see cref="DiscoveryLookupService"/>).
/// </summary>
public sealed class DiscoveryQueue(IOptions<DiscoveryOptions> options, DiscoveryStatistics statistics)
{
    private readonly Queue<(Hash20 Id, DiscoverySource Source)> _pending = new();
    private readonly HashSet<Hash20> _queued = [];
    private readonly Lock _lock = new();
    private readonly Channel<bool> _added = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public int Limit => options.Value.DiscoveryQueueLimit;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The source of the id waiting longest, if any.</summary>
    public DiscoverySource? OldestSource
    {
        get
        {
            lock (_lock)
            {
                return _pending.TryPeek(out var next) ? next.Source : null;
            }
        }
    }

    /// <summary>Room left before ids are dropped (feeds read a page only when it fits).</summary>
    public int Room => Math.Max(0, Limit - Count);

    /// <summary>Queues <paramref name="id"/> unless it is queued already; false (counted as dropped) when the queue is full.</summary>
    public bool TryAdd(Hash20 id, DiscoverySource source)
    {
        lock (_lock)
        {
            if (_queued.Contains(id))
            {
                return true;
            }
            if (_pending.Count >= Limit)
            {
                statistics.Add(source, DiscoveryOutcome.Dropped);
                return false;
            }
            _pending.Enqueue((id, source));
            _queued.Add(id);
        }
        _added.Writer.TryWrite(true);
        return true;
    }

    /// <summary>Takes up to <paramref name="max"/> ids, oldest first.</summary>
    public IReadOnlyList<(Hash20 Id, DiscoverySource Source)> Take(int max)
    {
        lock (_lock)
        {
            var taken = new List<(Hash20, DiscoverySource)>(Math.Min(max, _pending.Count));
            while (taken.Count < max && _pending.TryDequeue(out var next))
            {
                _queued.Remove(next.Id);
                taken.Add(next);
            }
            return taken;
        }
    }

    /// <summary>Waits until an id is added (or <paramref name="timeout"/> passes).</summary>
    public async Task WaitForIdsAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Count > 0)
        {
            return;
        }
        using var wait = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken);
        try
        {
            await _added.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: the caller looks again.
        }
    }
}
