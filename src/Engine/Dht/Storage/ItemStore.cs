namespace GitTorrent.Engine.Dht.Storage;

/// <summary>
/// BEP 44 items stored for the network: expire 2 hours after their last put, bounded by count and by
/// bytes; beyond either bound the least recently used item goes. One source (<see cref="SourceKey"/>)
/// holds at most <c>maxPerSource</c> items (counted by who put the value held), so one address cannot
/// fill the store and push everyone else's items out. Single owner, no locks.
/// </summary>
internal sealed class ItemStore(int maxItems, long maxBytes, int maxPerSource = int.MaxValue)
{
    /// <summary>BEP 44: items are kept for 2 hours unless re-put.</summary>
    public const long LifetimeMs = 2 * 60 * 60 * 1000;

    private readonly Dictionary<Hash20, LinkedListNode<StoredItem>> _items = [];
    private readonly LinkedList<StoredItem> _lru = new(); // most recently used first
    private readonly SourceCounter _perSource = new();

    public int Count => _items.Count;

    public long Bytes { get; private set; }

    public int MaxItems { get; } = maxItems;

    public long MaxBytes { get; } = maxBytes;

    /// <summary>Evictions because a bound was reached.</summary>
    public long Evicted { get; private set; }

    public StoredItem? Get(Hash20 target, long now)
    {
        if (!_items.TryGetValue(target, out var node))
        {
            return null;
        }
        if (now - node.Value.StoredAt >= LifetimeMs)
        {
            RemoveNode(node);
            return null;
        }
        _lru.Remove(node);
        _lru.AddFirst(node);
        return node.Value;
    }

    /// <summary>Items held whose value <paramref name="source"/> put.</summary>
    public int CountOf(SourceKey source) => _perSource[source];

    /// <summary>
    /// Stores or replaces the item for its target (the caller has validated it), unless its source already
    /// holds its share of items: then <see cref="StoreOutcome.AddressLimit"/> and nothing changes.
    /// </summary>
    public StoreOutcome Put(StoredItem item)
    {
        _items.TryGetValue(item.Target, out var existing);
        if (item.Source is { } source && existing?.Value.Source != source && CountOf(source) >= maxPerSource)
        {
            return StoreOutcome.AddressLimit;
        }
        if (existing is not null)
        {
            RemoveNode(existing);
        }
        var node = _lru.AddFirst(item);
        _items[item.Target] = node;
        Bytes += item.Size;
        if (item.Source is { } owner)
        {
            _perSource.Add(owner);
        }
        while ((_items.Count > MaxItems || Bytes > MaxBytes) && _lru.Last is { } last && last != node)
        {
            RemoveNode(last);
            Evicted++;
        }
        return StoreOutcome.Stored;
    }

    /// <summary>Live items, most recently used first.</summary>
    public IEnumerable<StoredItem> Items(long now)
    {
        foreach (var item in _lru)
        {
            if (now - item.StoredAt < LifetimeMs)
            {
                yield return item;
            }
        }
    }

    /// <summary>Drops expired items; returns how many.</summary>
    public int RemoveExpired(long now)
    {
        var removed = 0;
        var node = _lru.First;
        while (node is not null)
        {
            var next = node.Next;
            if (now - node.Value.StoredAt >= LifetimeMs)
            {
                RemoveNode(node);
                removed++;
            }
            node = next;
        }
        return removed;
    }

    private void RemoveNode(LinkedListNode<StoredItem> node)
    {
        _lru.Remove(node);
        _items.Remove(node.Value.Target);
        Bytes -= node.Value.Size;
        if (node.Value.Source is { } source)
        {
            _perSource.Remove(source);
        }
    }
}
