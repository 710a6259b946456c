using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Lookups;
using GitTorrent.Engine.Dht.Routing;

namespace GitTorrent.Engine.Dht;

/// <summary>Timers on the node loop: timeouts, bucket refresh, expiry, re-puts, external address, persistence.</summary>
public sealed partial class DhtNode
{
    /// <summary>Agreeing "ip" reports (BEP 42) needed before we believe our external address.</summary>
    private const int ExternalAddressVotes = 5;

    /// <summary>Voting networks remembered (bounded memory); beyond it the oldest vote is forgotten.</summary>
    private const int MaxAddressVoters = 256;

    private static readonly long SweepIntervalMs = 60_000;
    private static readonly long RefreshCheckIntervalMs = 10_000;
    private static readonly long EstimateIntervalMs = 1_000;

    private readonly ExternalAddressVoter _addressVotes = new(ExternalAddressVotes, MaxAddressVoters);
    private readonly Dictionary<Hash20, Published> _published = [];
    private long _lastSave;
    private long _lastRefreshCheck;
    private long _lastSweep;
    private long _lastEstimate;
    private long _estimatedSize;
    private bool _shuttingDown;

    private void Tick()
    {
        var now = NowMs;
        _expired.Clear();
        _transactions.RemoveExpired(now, _expired);
        foreach (var query in _expired)
        {
            _timeouts++;
            if (query.NodeId is { } id)
            {
                _table.Fail(id, query.EndPoint);
            }
            query.Observer?.OnTimeout(query);
        }
        foreach (var lookup in _lookups.ToArray())
        {
            lookup.Tick(now);
        }
        if (now - _lastEstimate >= EstimateIntervalMs)
        {
            _lastEstimate = now;
            _estimatedSize = _table.EstimateNetworkSize();
            Republish(now);
        }
        if (now - _lastRefreshCheck >= RefreshCheckIntervalMs)
        {
            _lastRefreshCheck = now;
            if (_table.Count > 0)
            {
                foreach (var target in _table.StaleBucketTargets(now, (long)_options.BucketRefreshInterval.TotalMilliseconds))
                {
                    StartLookup(NewLookup(LookupKind.FindNode, target), null);
                }
            }
        }
        if (now - _lastSweep >= SweepIntervalMs)
        {
            _lastSweep = now;
            _items.RemoveExpired(now);
            _peers.RemoveExpired(now);
            RemoveExpiredOwnAnnounces(now);
        }
        if (_statePath is not null && now - _lastSave >= (long)_options.SaveInterval.TotalMilliseconds)
        {
            _lastSave = now;
            SaveState();
        }
        PublishStatistics();
    }

    /// <summary><paramref name="voter"/>, which answered a query of ours, saw us as <paramref name="address"/>.</summary>
    private void VoteExternalAddress(IPAddress address, IPAddress voter)
    {
        if (!_addressVotes.Vote(address, voter))
        {
            _limitLog.Bit(ref _addressVotesIgnored, "Dht:address votes (distinct /24s we contacted)");
            return;
        }
        if (_addressVotes.Leader is { } leader && !leader.Equals(ExternalAddress))
        {
            ExternalAddress = leader; // saved with the state: the next start keeps a fitting id
            if (_options.NodeId is null && !NodeIdGenerator.IsExempt(leader) && !NodeIdGenerator.IsValid(Id, leader))
            {
                ChangeId(NodeIdGenerator.Generate(leader));
            }
        }
    }

    /// <summary>
    /// Takes a new id (BEP 42: derived from the agreed external address) and rebuilds the routing table
    /// around it from the nodes we know, as libtorrent's update_node_id does.
    /// </summary>
    private void ChangeId(Hash20 id)
    {
        Id = id;
        _idValue = new BString(id.ToArray());
        _pingResponse = new BDictionary { ["id"] = _idValue };
        var previous = _table;
        _table = new RoutingTable(id, _options.BucketSize, NowMs, previous.Policy);
        foreach (var entry in previous.Entries())
        {
            _table.Observe(entry.Contact, entry.LastSeen);
        }
        DhtLog.IdChanged(_logger, ExternalAddress!, id, _table.Count);
    }

    private void Remember(Hash20 target, MutableItem? mutable, byte[]? immutable)
    {
        if (_options.MaxPublishedItems == 0)
        {
            return;
        }
        if (!_published.ContainsKey(target) && _published.Count >= _options.MaxPublishedItems)
        {
            var oldest = _published.MinBy(p => p.Value.LastPut).Key;
            _published.Remove(oldest);
        }
        _published[target] = new Published(mutable, immutable, NowMs);
    }

    private void Republish(long now)
    {
        var intervalMs = (long)_options.RepublishInterval.TotalMilliseconds;
        var count = 0;
        foreach (var (target, item) in _published.ToArray())
        {
            if (now - item.LastPut < intervalMs)
            {
                continue;
            }
            _published[target] = item with { LastPut = now };
            count++;
            var operation = NewLookup(LookupKind.GetItem, target);
            if (item.Mutable is { } mutable)
            {
                operation.Mutable = true;
                operation.MutableSalt = mutable.Salt;
            }
            StoreLocally(item.Mutable, item.Immutable);
            StartLookup(operation, null);
            operation.Completion.Task.ContinueWith(found => TryPost(() =>
            {
                var write = new WriteOperation(target);
                write.Start(this, KrpcMethod.Put, found.Result.Closest, item.Mutable is { } m
                    ? () => MutablePutArguments(m, null)
                    : () => new BDictionary { ["id"] = Id.ToArray(), ["v"] = new RawValue(item.Immutable!) });
            }), TaskContinuationOptions.OnlyOnRanToCompletion);
        }
        if (count > 0)
        {
            DhtLog.Republished(_logger, count);
        }
    }

    private void SaveState()
    {
        if (_statePath is null)
        {
            return;
        }
        var nodes = _table.Entries().Where(e => e.FailCount == 0).Select(e => e.Contact).ToList();
        try
        {
            new DhtStateFile(Id, ExternalAddress, nodes).Save(_statePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DhtLog.StateUnwritable(_logger, _statePath, e);
        }
    }

    private void Shutdown()
    {
        _shuttingDown = true; // finishing lookups must not start waiting ones now
        SaveState();
        while (_waitingLookups.TryDequeue(out var waiting))
        {
            waiting.Operation.Cancel();
        }
        foreach (var lookup in _lookups.ToArray())
        {
            lookup.Cancel();
        }
        _expired.Clear();
        _transactions.Clear(_expired);
        foreach (var query in _expired)
        {
            query.Observer?.OnTimeout(query);
        }
        PublishStatistics();
    }

    private sealed record Published(MutableItem? Mutable, byte[]? Immutable, long LastPut);
}
