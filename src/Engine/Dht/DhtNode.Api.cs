using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Lookups;
using GitTorrent.Engine.Dht.Storage;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Dht;

/// <summary>The public operations: bootstrap, peers (BEP 5) and items (BEP 44).</summary>
public sealed partial class DhtNode
{
    /// <summary>
    /// Joins the network: asks every bootstrap node (and every node restored from the state file) for
    /// the nodes closest to our id, then runs a lookup of our own id. Completes when that lookup ends.
    /// </summary>
    public async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var routers = new List<IPEndPoint>();
        foreach (var entry in _options.BootstrapNodes)
        {
            var endPoint = await ResolveAsync(entry, cancellationToken).ConfigureAwait(false);
            if (endPoint is not null)
            {
                routers.Add(endPoint);
            }
        }
        var answers = routers.Select(r => FindNodeAtAsync(r, cancellationToken)).ToList();
        // The restored nodes are only pinged at start; they enter the table when they answer. The lookup asks them
        // itself, so that it does not depend on those answers having come yet.
        var seeds = new List<DhtContact>(_restored);
        foreach (var answer in answers)
        {
            seeds.AddRange(await answer.ConfigureAwait(false));
        }
        await LookupAsync(LookupKind.FindNode, Id, seeds, cancellationToken).ConfigureAwait(false);
        DhtLog.Bootstrapped(_logger, RoutingTableSize);
    }

    /// <summary>
    /// Pings <paramref name="endPoint"/>; when it answers it joins the routing table (if its id passes BEP 42,
    /// <see cref="DhtOptions.EnforceNodeId"/>). True if it answered.
    /// </summary>
    public Task<bool> AddNode(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => Ping(endPoint, null, completion));
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Peers announced for <paramref name="infoHash"/>, streamed as the get_peers lookup finds them.</summary>
    public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<IPEndPoint>(new UnboundedChannelOptions { SingleReader = true });
        var operation = NewLookup(LookupKind.GetPeers, infoHash);
        operation.PeerSink = channel.Writer;
        var lookup = RunLookupAsync(operation, null, cancellationToken);
        try
        {
            await foreach (var peer in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return peer;
            }
            await lookup.ConfigureAwait(false);
        }
        finally
        {
            if (!lookup.IsCompleted)
            {
                TryPost(operation.Cancel); // the caller stopped listening: end the lookup now
            }
        }
    }

    Task IPeerDiscovery.AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken) =>
        AnnounceAsync(infoHash, port, cancellationToken);

    /// <summary>
    /// get_peers towards <paramref name="infoHash"/>, then announce_peer to the closest nodes with their tokens.
    /// Port 0 announces the UDP source port instead (BEP 5 implied_port). This node lists itself in its own get_peers
    /// answers for <paramref name="infoHash"/> too, for as long as a stored announce would last.
    /// </summary>
    public async Task<DhtPutResult> AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        await Invoke(() =>
        {
            RememberOwnAnnounce(infoHash, port);
            return true;
        }).ConfigureAwait(false);
        var found = await RunLookupAsync(NewLookup(LookupKind.GetPeers, infoHash), null, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(infoHash, KrpcMethod.AnnouncePeer, found.Closest, () =>
        {
            var args = new BDictionary { ["id"] = Id.ToArray(), ["info_hash"] = infoHash.ToArray(), ["port"] = port };
            if (port == 0)
            {
                args["implied_port"] = 1;
            }
            return args;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Signs and stores a mutable item (BEP 44) at the closest nodes, and keeps re-putting it on schedule.
    /// <paramref name="value"/> is the bencoded "v" (for a profile: a bencoded string holding the JSON).
    /// </summary>
    public Task<DhtPutResult> PutMutableAsync(Ed25519Key key, ReadOnlyMemory<byte> value, long sequence,
        byte[]? salt, long? cas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckValue(value.Span);
        salt ??= [];
        if (salt.Length > Bep44.MaxSaltLength)
        {
            throw new ArgumentException($"A BEP 44 salt is at most {Bep44.MaxSaltLength} bytes.", nameof(salt));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var signature = key.SignMutable(salt, sequence, value.Span);
        var item = new MutableItem(value.ToArray(), sequence, key.PublicKey, signature, salt);
        return PutMutableAsync(item, cas, cancellationToken);
    }

    /// <summary>Stores an item signed elsewhere (it is verified first) and keeps re-putting it.</summary>
    public async Task<DhtPutResult> PutMutableAsync(MutableItem item, long? cas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckValue(item.Value);
        if (!Bep44.VerifyMutable(item.PublicKey, item.Salt, item.Sequence, item.Value, item.Signature))
        {
            throw new ArgumentException("The item's signature does not verify.", nameof(item));
        }
        var target = item.Target;
        await Invoke(() =>
        {
            Remember(target, item, null);
            StoreLocally(item, null);
            return true;
        }).ConfigureAwait(false);
        var found = await RunLookupAsync(NewLookup(LookupKind.GetItem, target), item.Salt, cancellationToken)
            .ConfigureAwait(false);
        return await WriteAsync(target, KrpcMethod.Put, found.Closest, () => MutablePutArguments(item, cas),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The valid mutable item with the highest seq that the nodes closest to <paramref name="target"/> hold
    /// (checked: SHA-1(k ‖ salt) = target and the signature verifies), or null if none.
    /// </summary>
    public async Task<MutableItem?> GetMutableAsync(Hash20 target, byte[]? salt, CancellationToken cancellationToken)
    {
        var result = await GetMutableWithStatsAsync(target, salt, cancellationToken).ConfigureAwait(false);
        return result.Mutable;
    }

    /// <summary>As <see cref="GetMutableAsync"/>, with the lookup's figures (rounds, queries, time).</summary>
    public Task<LookupResult> GetMutableWithStatsAsync(Hash20 target, byte[]? salt, CancellationToken cancellationToken) =>
        RunLookupAsync(NewLookup(LookupKind.GetItem, target), salt ?? [], cancellationToken);

    /// <summary>Stores an immutable item (its target is SHA-1 of <paramref name="value"/>, the bencoded "v").</summary>
    public async Task<DhtPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        CheckValue(value.Span);
        var bytes = value.ToArray();
        var target = Bep44.ImmutableTarget(bytes);
        await Invoke(() =>
        {
            Remember(target, null, bytes);
            StoreLocally(null, bytes);
            return true;
        }).ConfigureAwait(false);
        var found = await RunLookupAsync(NewLookup(LookupKind.GetItem, target), null, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(target, KrpcMethod.Put, found.Closest,
            () => new BDictionary { ["id"] = Id.ToArray(), ["v"] = new RawValue(bytes) }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bencoded value stored under <paramref name="target"/> whose SHA-1 matches, or null.</summary>
    public async Task<byte[]?> GetImmutableAsync(Hash20 target, CancellationToken cancellationToken)
    {
        var operation = new LookupOperation(this, LookupKind.GetItem, target, _options) { StopOnImmutable = true };
        var result = await RunLookupAsync(operation, null, cancellationToken).ConfigureAwait(false);
        return result.Immutable;
    }

    /// <summary>
    /// Up to <paramref name="max"/> mutable items other nodes stored at this node (already verified when
    /// they were put), most recently used first: how a crawler learns of profiles it was not told about.
    /// </summary>
    public Task<IReadOnlyList<MutableItem>> GetStoredMutableItemsAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return Invoke<IReadOnlyList<MutableItem>>(() => _items.Items(NowMs)
            .Where(i => i.IsMutable)
            .Take(max)
            .Select(i => new MutableItem(i.Value, i.Sequence, i.PublicKey!, i.Signature!, i.Salt ?? []))
            .ToList()).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Asks one node for a sample of the item targets it stores (<c>sample_items</c>); null when it does not answer,
    /// answers with an error (a node that does not know the query) or answers with a malformed sample. At most
    /// <see cref="MaxSamplesPerAnswer"/> targets and <see cref="DhtOptions.BucketSize"/> nodes are taken from an answer.
    /// </summary>
    public Task<ItemSample?> SampleItemsAsync(IPEndPoint node, Hash20 target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var completion = new TaskCompletionSource<ItemSample?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            var sent = SendQuery(KrpcMethod.SampleItems, new BDictionary { ["id"] = Id.ToArray(), ["target"] = target.ToArray() },
                null, node, new CallbackObserver((_, reply) => completion.TrySetResult(reply?.Body is { } body ? ReadSample(body) : null)), null);
            if (!sent)
            {
                completion.TrySetResult(null);
            }
        });
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Up to <paramref name="max"/> nodes of the routing table (where a walk of the network starts).</summary>
    public Task<IReadOnlyList<DhtContact>> GetRoutingContactsAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return Invoke<IReadOnlyList<DhtContact>>(() => _table.Entries().Take(max).Select(e => new DhtContact(e.Id, e.EndPoint)).ToList())
            .WaitAsync(cancellationToken);
    }

    private ItemSample? ReadSample(BDictionary body)
    {
        if (body.Get<BString>("samples") is not { } samples || samples.Length % Hash20.Length != 0
            || body.GetInteger("num") is not (>= 0 and var count) || body.GetInteger("interval") is not (>= 0 and <= 86_400 and var interval))
        {
            _malformed++; // counted with the other malformed messages (DhtStatistics.MalformedDropped)
            return null;
        }
        var targets = new List<Hash20>(Math.Min(samples.Length / Hash20.Length, MaxSamplesPerAnswer));
        for (var offset = 0; offset < samples.Length && targets.Count < MaxSamplesPerAnswer; offset += Hash20.Length)
        {
            targets.Add(new Hash20(samples.Span.Slice(offset, Hash20.Length)));
        }
        return new ItemSample(targets, count, TimeSpan.FromSeconds(interval), [.. NodesOf(body).Take(_options.BucketSize)]);
    }

    /// <summary>get_peers lookup with its figures (for benchmarks and diagnostics).</summary>
    public Task<LookupResult> GetPeersWithStatsAsync(Hash20 infoHash, CancellationToken cancellationToken) =>
        RunLookupAsync(NewLookup(LookupKind.GetPeers, infoHash), null, cancellationToken);

    private static void CheckValue(ReadOnlySpan<byte> value)
    {
        if (value.Length > Bep44.MaxValueLength)
        {
            throw new ArgumentException($"A BEP 44 value is at most {Bep44.MaxValueLength} bencoded bytes.", nameof(value));
        }
        var copy = value.ToArray();
        if (!BencodeReader.TryDecode(copy, out var decoded, out _) || !decoded.Encode().AsSpan().SequenceEqual(copy))
        {
            throw new ArgumentException("A BEP 44 value must be canonical bencode.", nameof(value));
        }
    }

    private BDictionary MutablePutArguments(MutableItem item, long? cas)
    {
        var args = new BDictionary
        {
            ["id"] = Id.ToArray(),
            ["k"] = item.PublicKey,
            ["seq"] = item.Sequence,
            ["sig"] = item.Signature,
            ["v"] = new RawValue(item.Value),
        };
        if (item.Salt.Length > 0)
        {
            args["salt"] = item.Salt;
        }
        if (cas is { } expected)
        {
            args["cas"] = expected;
        }
        return args;
    }

    private LookupOperation NewLookup(LookupKind kind, Hash20 target) =>
        new(this, kind, target, _options);

    private async Task<LookupResult> RunLookupAsync(LookupOperation operation, byte[]? mutableSalt,
        CancellationToken cancellationToken)
    {
        if (mutableSalt is not null)
        {
            operation.Mutable = true;
            operation.MutableSalt = mutableSalt;
        }
        Post(() => StartLookup(operation, null));
        await using var registration = cancellationToken.Register(() => TryPost(operation.Cancel)).ConfigureAwait(false);
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<LookupResult> LookupAsync(LookupKind kind, Hash20 target, List<DhtContact> extraSeeds,
        CancellationToken cancellationToken)
    {
        var operation = NewLookup(kind, target);
        Post(() => StartLookup(operation, extraSeeds));
        return operation.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task<DhtPutResult> WriteAsync(Hash20 target, KrpcMethod method,
        IReadOnlyList<(DhtContact Node, byte[]? Token)> closest, Func<BDictionary> arguments, CancellationToken cancellationToken)
    {
        var write = new WriteOperation(target);
        Post(() => write.Start(this, method, closest, arguments));
        return await write.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<List<DhtContact>> FindNodeAtAsync(IPEndPoint router, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<List<DhtContact>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            var sent = SendQuery(KrpcMethod.FindNode, new BDictionary { ["id"] = Id.ToArray(), ["target"] = Id.ToArray() },
                null, router, new CallbackObserver((_, reply) => completion.TrySetResult(reply?.Body is { } body ? NodesOf(body) : [])), null);
            if (!sent)
            {
                completion.TrySetResult([]);
            }
        });
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The nodes an answer names in our socket's family ("nodes", or "nodes6" on IPv6; BEP 32); malformed entries skipped.</summary>
    private List<DhtContact> NodesOf(BDictionary body)
    {
        var contacts = new List<DhtContact>();
        var family = _socket.AddressFamily;
        if (body.Get<BString>(family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "nodes6" : "nodes") is { } nodes)
        {
            CompactEncoding.TryDecodeNodes(nodes.Span, family, contacts);
        }
        return contacts;
    }

    private async Task<IPEndPoint?> ResolveAsync(string entry, CancellationToken cancellationToken)
    {
        var colon = entry.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(entry.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
        {
            DhtLog.BootstrapUnresolved(_logger, entry, "not host:port");
            return null;
        }
        var host = entry[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, _socket.AddressFamily, cancellationToken).ConfigureAwait(false);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], port);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            DhtLog.BootstrapUnresolved(_logger, entry, e.Message);
            return null;
        }
    }

    private bool TryPost(Action command) => _work.Writer.TryWrite(new Work(null, 0, null, command));

    // ---- on the node loop ----

    private void StartLookup(LookupOperation operation, List<DhtContact>? extraSeeds)
    {
        if (_shuttingDown)
        {
            operation.Cancel(); // posted while the node was stopping: end at once, empty-handed
            return;
        }
        if (_lookups.Count >= _options.MaxConcurrentLookups)
        {
            _waitingLookups.Enqueue((operation, () => StartLookup(operation, extraSeeds)));
            return;
        }
        _lookups.Add(operation);
        _lookupsStarted++;
        if (operation.Kind == LookupKind.GetItem)
        {
            OfferLocal(operation);
        }
        else if (operation.Kind == LookupKind.GetPeers && operation.PeerSink is { } sink)
        {
            foreach (var peer in _peers.Get(operation.Target, MaxPeersPerResponse, NowMs))
            {
                sink.TryWrite(peer);
            }
        }
        var seeds = _table.FindClosest(operation.Target, _options.BucketSize * 2);
        if (extraSeeds is not null)
        {
            seeds.AddRange(extraSeeds);
        }
        operation.Start(seeds);
    }

    private void OfferLocal(LookupOperation operation)
    {
        if (_items.Get(operation.Target, NowMs) is not { } item)
        {
            return;
        }
        if (operation.Mutable && item.IsMutable
            && Bep44.MutableTarget(item.PublicKey!, operation.MutableSalt ?? []) == operation.Target)
        {
            operation.OfferMutable(new MutableItem(item.Value, item.Sequence, item.PublicKey!, item.Signature!, item.Salt!));
        }
        else if (!operation.Mutable && !item.IsMutable)
        {
            operation.OfferImmutable(item.Value);
        }
    }

    void ILookupHost.LookupFinished(LookupOperation operation)
    {
        // Published before the lookup's caller resumes: it reads the routing table the lookup's answers filled.
        PublishStatistics();
        _lookups.Remove(operation);
        while (!_shuttingDown && _lookups.Count < _options.MaxConcurrentLookups && _waitingLookups.TryDequeue(out var next))
        {
            next.Start();
        }
    }

    private void StoreLocally(MutableItem? mutable, byte[]? immutable)
    {
        var now = NowMs;
        if (mutable is not null)
        {
            if (_items.Get(mutable.Target, now) is { } existing && existing.Sequence > mutable.Sequence)
            {
                return;
            }
            _items.Put(new StoredItem(mutable.Target, mutable.Value, mutable.PublicKey, mutable.Salt, mutable.Sequence,
                mutable.Signature, now));
        }
        else if (immutable is not null)
        {
            _items.Put(new StoredItem(Bep44.ImmutableTarget(immutable), immutable, null, null, 0, null, now));
        }
    }

    private void Ping(IPEndPoint endPoint, Hash20? id, TaskCompletionSource<bool>? completion)
    {
        var sent = SendQuery(KrpcMethod.Ping, IdOnly(), id, endPoint,
            new CallbackObserver((_, reply) =>
            {
                if (completion is not null)
                {
                    PublishStatistics(); // the caller of AddNode reads the table this answer changed
                    completion.TrySetResult(reply is not null);
                }
            }), null);
        if (!sent)
        {
            completion?.TrySetResult(false);
        }
    }

    private void PingQuestionable()
    {
        foreach (var entry in _toPing)
        {
            Ping(entry.EndPoint, entry.Id, null);
        }
        _toPing.Clear();
    }
}
