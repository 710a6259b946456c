using System.Buffers.Binary;
using System.Net;

namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>
/// Outgoing queries by 2-byte transaction id (BEP 5 "t"). Bounded: when <see cref="Capacity"/> queries
/// are pending, new ones are refused until responses or timeouts free slots. Single owner, no locks.
/// </summary>
internal sealed class TransactionTable(int capacity)
{
    /// <summary>Length of the transaction ids we issue.</summary>
    public const int IdLength = 2;

    private readonly Dictionary<ushort, PendingQuery> _pending = new(Math.Min(capacity, 1024));
    private ushort _next = (ushort)Random.Shared.Next(ushort.MaxValue + 1);

    public int Capacity { get; } = Math.Min(capacity, ushort.MaxValue);

    public int Count => _pending.Count;

    public bool TryAdd(PendingQuery query)
    {
        if (_pending.Count >= Capacity)
        {
            return false;
        }
        while (_pending.ContainsKey(_next))
        {
            _next++;
        }
        query.TransactionId = _next++;
        _pending.Add(query.TransactionId, query);
        return true;
    }

    /// <summary>
    /// Removes and returns the query a reply belongs to. The reply must come from the endpoint the query
    /// went to; otherwise it is someone guessing ids and the query stays pending.
    /// </summary>
    public bool TryComplete(ReadOnlySpan<byte> transactionId, IPEndPoint from, out PendingQuery query)
    {
        query = null!;
        if (transactionId.Length != IdLength)
        {
            return false;
        }
        var id = BinaryPrimitives.ReadUInt16BigEndian(transactionId);
        if (!_pending.TryGetValue(id, out var found) || !SameEndPoint(found.EndPoint, from))
        {
            return false;
        }
        _pending.Remove(id);
        query = found;
        return true;
    }

    /// <summary>Removes every query whose deadline is at or before <paramref name="now"/>.</summary>
    public void RemoveExpired(long now, List<PendingQuery> expired)
    {
        foreach (var (id, query) in _pending)
        {
            if (query.Deadline <= now)
            {
                expired.Add(query);
            }
        }
        foreach (var query in expired)
        {
            _pending.Remove(query.TransactionId);
        }
    }

    public void Clear(List<PendingQuery> removed)
    {
        removed.AddRange(_pending.Values);
        _pending.Clear();
    }

    public static void WriteId(ushort id, Span<byte> destination) => BinaryPrimitives.WriteUInt16BigEndian(destination, id);

    private static bool SameEndPoint(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port && Normalize(a.Address).Equals(Normalize(b.Address));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
