using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>
/// One running lookup: drives an <see cref="IterativeLookup"/> with real queries and collects what the
/// answers carry (peers, BEP 44 items, write tokens). Owned by the node loop.
/// </summary>
internal sealed class LookupOperation : IQueryObserver
{
    private readonly ILookupHost _host;
    private readonly IterativeLookup _lookup;
    private readonly long _startedAt;
    private readonly long _deadline;
    private readonly HashSet<IPEndPoint> _peers = [];
    private readonly List<DhtContact> _scratch = [];
    private MutableItem? _mutable;
    private byte[]? _immutable;
    private bool _finished;

    /// <summary>A lookup with the node's K, alpha, lookup timeout and slow-query bounds.</summary>
    public LookupOperation(ILookupHost host, LookupKind kind, Hash20 target, DhtOptions options)
    {
        _host = host;
        Kind = kind;
        Target = target;
        _lookup = new IterativeLookup(target, host.Id, options.BucketSize, options.Alpha,
            new RoundTripEstimator((long)options.MinSlowQueryAfter.TotalMilliseconds, (long)options.SlowQueryAfter.TotalMilliseconds));
        _startedAt = host.NowMs;
        _deadline = _startedAt + (long)options.LookupTimeout.TotalMilliseconds;
    }

    public LookupKind Kind { get; }

    public Hash20 Target { get; }

    /// <summary>get_peers: where found peers are streamed.</summary>
    public ChannelWriter<IPEndPoint>? PeerSink { get; set; }

    /// <summary>BEP 44 get: expect a mutable item with this salt (null = immutable).</summary>
    public byte[]? MutableSalt { get; set; }

    public bool Mutable { get; set; }

    /// <summary>Stop at the first valid immutable item instead of converging.</summary>
    public bool StopOnImmutable { get; init; }

    public TaskCompletionSource<LookupResult> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Start(IEnumerable<DhtContact> seeds)
    {
        foreach (var seed in seeds)
        {
            _lookup.Add(seed, 1);
        }
        Pump();
    }

    /// <summary>Offers a locally stored item as if a node had returned it.</summary>
    public void OfferMutable(MutableItem item)
    {
        if (_mutable is null || item.Sequence > _mutable.Sequence)
        {
            _mutable = item;
        }
    }

    public void OfferImmutable(byte[] value) => _immutable ??= value;

    public void Tick(long now)
    {
        if (_finished)
        {
            return;
        }
        if (now >= _deadline)
        {
            Finish();
            return;
        }
        _lookup.MarkSlow(now);
        Pump();
    }

    public void Cancel() => Finish();

    public void OnResponse(PendingQuery query, KrpcMessage response)
    {
        var candidate = (LookupCandidate)query.State!;
        var body = response.Body!;
        _scratch.Clear();
        if (body.Get<BString>("nodes") is { } nodes)
        {
            CompactEncoding.TryDecodeNodes(nodes.Span, AddressFamily.InterNetwork, _scratch);
        }
        if (body.Get<BString>("nodes6") is { } nodes6)
        {
            CompactEncoding.TryDecodeNodes(nodes6.Span, AddressFamily.InterNetworkV6, _scratch);
        }
        // One socket speaks one family (BEP 32 runs a node per family): drop what we cannot reach.
        _scratch.RemoveAll(c => c.EndPoint.AddressFamily != _host.AddressFamily);
        if (body.Get<BString>("token") is { Length: > 0 and <= 64 } token)
        {
            candidate.Token = token.Span.ToArray();
        }
        switch (Kind)
        {
            case LookupKind.GetPeers:
                CollectPeers(body);
                break;
            case LookupKind.GetItem:
                CollectItem(body);
                break;
        }
        _lookup.OnResponse(candidate, _scratch, _host.NowMs);
        Pump();
    }

    public void OnError(PendingQuery query, KrpcMessage error)
    {
        _lookup.OnFailure((LookupCandidate)query.State!);
        Pump();
    }

    public void OnTimeout(PendingQuery query)
    {
        _lookup.OnFailure((LookupCandidate)query.State!);
        Pump();
    }

    private void CollectPeers(BDictionary body)
    {
        if (body.Get<BList>("values") is not { } values)
        {
            return;
        }
        foreach (var value in values)
        {
            if (value is BString s && CompactEncoding.TryReadPeer(s.Span, out var peer) && _peers.Add(peer))
            {
                PeerSink?.TryWrite(peer);
            }
        }
    }

    private void CollectItem(BDictionary body)
    {
        if (body["v"] is not { } v || v.Raw.Length is 0 or > Bep44.MaxValueLength)
        {
            return;
        }
        if (!Mutable)
        {
            if (_immutable is null && Bep44.ImmutableTarget(v.Raw.Span) == Target)
            {
                _immutable = v.Raw.ToArray();
            }
            return;
        }
        if (body.Get<BString>("k") is not { Length: Bep44.PublicKeyLength } k
            || body.Get<BString>("sig") is not { Length: Bep44.SignatureLength } sig
            || body.GetInteger("seq") is not { } seq || seq < 0)
        {
            return;
        }
        var salt = MutableSalt ?? [];
        if (Bep44.MutableTarget(k.Span, salt) != Target)
        {
            return; // wrong key for the target
        }
        if (_mutable is not null && seq <= _mutable.Sequence)
        {
            return; // never go back to a lower seq; equal seq needs no second check
        }
        if (!Bep44.VerifyMutable(k.Span, salt, seq, v.Raw.Span, sig.Span))
        {
            return;
        }
        _mutable = new MutableItem(v.Raw.ToArray(), seq, k.Span.ToArray(), sig.Span.ToArray(), salt);
    }

    private void Pump()
    {
        if (_finished)
        {
            return;
        }
        if (StopOnImmutable && _immutable is not null)
        {
            Finish();
            return;
        }
        var now = _host.NowMs;
        while (true)
        {
            var batch = _lookup.Next(now);
            if (batch.Count == 0)
            {
                break;
            }
            foreach (var candidate in batch)
            {
                if (!_host.SendQuery(Method, Arguments(), candidate.Contact.Id, candidate.Contact.EndPoint, this, candidate))
                {
                    _lookup.OnFailure(candidate);
                }
            }
        }
        if (_lookup.IsDone && (Kind == LookupKind.FindNode || FoundSomething || !_lookup.HasRecentSlowQueries(now)))
        {
            Finish();
        }
    }

    /// <summary>Peers, or an item, have come: what the lookup is for.</summary>
    private bool FoundSomething => _peers.Count > 0 || _mutable is not null || _immutable is not null;

    private KrpcMethod Method => Kind switch
    {
        LookupKind.FindNode => KrpcMethod.FindNode,
        LookupKind.GetPeers => KrpcMethod.GetPeers,
        _ => KrpcMethod.Get,
    };

    private BDictionary Arguments()
    {
        var args = new BDictionary { ["id"] = _host.Id.ToArray() };
        var target = Target.ToArray();
        switch (Kind)
        {
            case LookupKind.FindNode:
                args["target"] = target;
                break;
            case LookupKind.GetPeers:
                args["info_hash"] = target;
                break;
            default:
                args["target"] = target;
                break;
        }
        return args;
    }

    private void Finish()
    {
        if (_finished)
        {
            return;
        }
        _finished = true;
        var closest = _lookup.ClosestResponded().Select(c => (c.Contact, c.Token)).ToList();
        var result = new LookupResult(Target, closest, _lookup.Rounds(), _lookup.QueriesSent,
            TimeSpan.FromMilliseconds(_host.NowMs - _startedAt), _mutable, _immutable, _peers.Count);
        PeerSink?.TryComplete();
        _host.LookupFinished(this);
        Completion.TrySetResult(result);
    }
}
