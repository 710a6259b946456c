using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// The decisions of the walk that asks DHT nodes for samples of their item targets (<see cref="SampleDiscovery"/>),
/// without IO: which nodes to ask next (never asked first, then those whose wait is over), when each may be asked
/// again (its answer's <c>interval</c>, at least <c>minInterval</c>), which nodes an answer adds (at most
/// <c>maxNodes</c> remembered), and which to forget (two failures in a row). Not thread-safe: one walk, one caller.
/// </summary>
public sealed class SampleWalk(int maxNodes, TimeSpan minInterval)
{
    /// <summary>How long a node that did not answer waits before it is asked again (it is forgotten after <see cref="MaxFailures"/>).</summary>
    public static readonly TimeSpan FailureWait = TimeSpan.FromMinutes(10);

    public const int MaxFailures = 2;

    private readonly Dictionary<IPEndPoint, Entry> _nodes = [];

    public int Count => _nodes.Count;

    /// <summary>Adds nodes not known yet (the routing table, or an answer's nodes) while there is room; returns how many.</summary>
    public int Add(IEnumerable<DhtContact> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var added = 0;
        foreach (var contact in contacts)
        {
            if (_nodes.Count >= maxNodes)
            {
                break;
            }
            if (_nodes.TryAdd(contact.EndPoint, new Entry()))
            {
                added++;
            }
        }
        return added;
    }

    /// <summary>Up to <paramref name="max"/> nodes to ask now, never asked first; each is not offered again before it answers or fails.</summary>
    public IReadOnlyList<IPEndPoint> Next(int max, DateTimeOffset now)
    {
        var due = _nodes.Where(n => n.Value.NextAt <= now)
            .OrderBy(n => n.Value.Asked)
            .ThenBy(n => n.Value.NextAt)
            .Take(max)
            .Select(n => n.Key)
            .ToList();
        foreach (var node in due)
        {
            var entry = _nodes[node];
            entry.NextAt = now + FailureWait; // until its answer or failure sets it
            entry.Asked = true;
        }
        return due;
    }

    /// <summary>Records an answer: when the node may be asked again and the nodes it named; returns the targets it sampled.</summary>
    public IReadOnlyList<Hash20> Answered(IPEndPoint node, ItemSample sample, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (_nodes.TryGetValue(node, out var entry))
        {
            entry.Failures = 0;
            entry.NextAt = now + (sample.Interval > minInterval ? sample.Interval : minInterval);
        }
        Add(sample.Nodes);
        return sample.Targets;
    }

    /// <summary>Records a node that did not answer (or does not know <c>sample_items</c>): it waits, and is forgotten after two.</summary>
    public void Failed(IPEndPoint node, DateTimeOffset now)
    {
        if (!_nodes.TryGetValue(node, out var entry))
        {
            return;
        }
        if (++entry.Failures >= MaxFailures)
        {
            _nodes.Remove(node);
        }
        else
        {
            entry.NextAt = now + FailureWait;
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset NextAt { get; set; } = DateTimeOffset.MinValue;

        public bool Asked { get; set; }

        public int Failures { get; set; }
    }
}
