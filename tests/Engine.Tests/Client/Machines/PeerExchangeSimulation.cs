using System.Net;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// A downloading node's <see cref="PeerExchangeMachine{TPeer}"/> and its driver in a world of 500 peers on a simulated
/// clock (one-second steps, no sockets). Up to the connection limit are connected at once (newcomers dial us, we dial
/// what we learn); handshakes arrive after 20-200 ms; 90% speak ut_pex. Honest peers send us 50 live (and some
/// departed) endpoints a minute; liars flood 200 made-up endpoints every second. Peers leave the world at the churn
/// rate and are replaced. A dial to a live peer connects after the latency; a dial to a made-up or departed endpoint
/// fails after the 10 s handshake timeout. Every message the machine sends is checked against the limits.
/// </summary>
internal sealed class PeerExchangeSimulation
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(10);

    private readonly Random _random;
    private readonly PeerExchangeMachine<int> _machine;
    private readonly Dictionary<int, WorldPeer> _world = [];
    private readonly Dictionary<IPEndPoint, int> _byEndPoint = [];
    private readonly List<IPEndPoint> _departedEndPoints = [];
    private readonly Dictionary<int, Connected> _connected = [];
    private readonly List<(TimeSpan At, Action Action)> _later = [];
    private readonly double _liars;
    private int _nextId;

    public PeerExchangeSimulation(int maxConnections, double liars, int seed)
    {
        _random = new Random(seed);
        _liars = liars;
        _machine = new PeerExchangeMachine<int>(exchange: true, maxConnections, _ => false);
        _machine.MetadataKnown(isPrivate: false, seeding: false);
    }

    public TimeSpan Now { get; private set; }

    public int WorldJoined => _nextId;

    public int Departed { get; private set; }

    public int MessagesSent { get; private set; }

    public int MaxAddedInAMessage { get; private set; }

    public int MaxDroppedInAMessage { get; private set; }

    /// <summary>Messages to a peer sooner than the interval after the previous one.</summary>
    public int EarlyMessages { get; private set; }

    /// <summary>Added endpoints that were not a connected peer's (departed, made up, or the receiver's own).</summary>
    public int WrongAdded { get; private set; }

    /// <summary>Dropped endpoints the peer was never told, or that are still connected.</summary>
    public int WrongDropped { get; private set; }

    public int MaxDialsInFlight { get; private set; }

    /// <summary>Times our dials took the connections and dials in flight beyond the connection limit.</summary>
    public int ConnectionOverruns { get; private set; }

    public int Dials { get; private set; }

    public int DialsToMadeUp { get; private set; }

    public int RepeatedDials { get; private set; }

    public long IgnoredFromLiars { get; private set; }

    public long HeardFromLiars { get; private set; }

    public int Connections => _connected.Count;

    /// <summary>After the quiet period: endpoints a connected peer was told and not told dropped although they left.</summary>
    public int StaleAdvertised { get; private set; }

    /// <summary>Connected peers that speak ut_pex and were never told anything although others were connected.</summary>
    public int NeverTold { get; private set; }

    public string Describe() =>
        $"{Now}: world joined {WorldJoined}, departed {Departed}, connected {Connections}, messages {MessagesSent} (max added "
        + $"{MaxAddedInAMessage}, dropped {MaxDroppedInAMessage}, early {EarlyMessages}, wrong added {WrongAdded}, wrong dropped "
        + $"{WrongDropped}), dials {Dials} ({DialsToMadeUp} made up, {RepeatedDials} repeated, max in flight {MaxDialsInFlight}), "
        + $"liars' endpoints {HeardFromLiars} ({IgnoredFromLiars} ignored), stale {StaleAdvertised}, never told {NeverTold}";

    private readonly HashSet<IPEndPoint> _dialled = [];

    public void Run(int world, double churnPerSecond, TimeSpan duration, TimeSpan quiet)
    {
        for (var i = 0; i < world; i++)
        {
            AddToWorld();
        }
        foreach (var id in _world.Keys.Take(_machine.MaxConnections / 2).ToList())
        {
            Connect(id, outbound: false);
        }
        while (Now < duration + quiet)
        {
            Now += TimeSpan.FromSeconds(1);
            var churning = Now < duration;
            foreach (var (at, action) in _later.Where(l => l.At <= Now).ToList())
            {
                action();
            }
            _later.RemoveAll(l => l.At <= Now);
            if (churning)
            {
                foreach (var id in _world.Keys.ToList())
                {
                    if (_random.NextDouble() < churnPerSecond)
                    {
                        LeaveWorld(id);
                        var newcomer = AddToWorld();
                        Connect(newcomer, outbound: false); // newcomers found us through the DHT
                    }
                }
                foreach (var (id, connected) in _connected.ToList())
                {
                    Gossip(id, connected);
                }
            }
            _machine.Tick(Now);
            Collect();
        }
        foreach (var (id, connected) in _connected)
        {
            var listens = _connected.Where(c => c.Key != id).Select(c => c.Value.Listen).ToHashSet();
            StaleAdvertised += _machine.Advertised(id).Count(e => !listens.Contains(e));
            if (connected.SupportsPex && connected.HandshakeDone && listens.Count > 0 && connected.LastMessage is null)
            {
                NeverTold++;
            }
        }
    }

    private void Gossip(int id, Connected connected)
    {
        if (!connected.HandshakeDone)
        {
            return;
        }
        List<IPEndPoint> endPoints;
        if (_world[id].Liar)
        {
            endPoints = [.. Enumerable.Range(0, 200).Select(_ => MadeUp())];
            HeardFromLiars += endPoints.Count;
        }
        else if (Now - connected.LastGossip >= TimeSpan.FromMinutes(1))
        {
            connected.LastGossip = Now;
            endPoints = [.. _world.Values.OrderBy(_ => _random.Next()).Take(45).Select(w => w.EndPoint)
                .Concat(_departedEndPoints.OrderBy(_ => _random.Next()).Take(5))];
        }
        else
        {
            return;
        }
        var ignored = _machine.PeersExchanged(id, endPoints, seeding: false);
        if (_world[id].Liar)
        {
            IgnoredFromLiars += ignored;
        }
        Collect();
    }

    private void Collect()
    {
        var dialled = false;
        while (_machine.TryTake(out var command))
        {
            if (command.Kind == PexCommandKind.Send)
            {
                Check(command.Peer, command.Message!);
                continue;
            }
            Dials++;
            dialled = true;
            var endPoint = command.EndPoint!;
            if (!_dialled.Add(endPoint))
            {
                RepeatedDials++;
            }
            MaxDialsInFlight = Math.Max(MaxDialsInFlight, _machine.DialsInFlight);
            if (_byEndPoint.TryGetValue(endPoint, out var target) && _world.ContainsKey(target))
            {
                At(Now + Latency(), () =>
                {
                    if (_world.ContainsKey(target) && !_connected.ContainsKey(target))
                    {
                        Connect(target, outbound: true);
                    }
                    _machine.DialEnded();
                });
            }
            else
            {
                DialsToMadeUp += _byEndPoint.ContainsKey(endPoint) ? 0 : 1;
                At(Now + DialTimeout, _machine.DialEnded);
            }
        }
        // Peers that dial us are admitted up to the limit whatever we dial (the dials then find it full); our own
        // dials must stay within it.
        if (dialled && _machine.PeerCount + _machine.DialsInFlight > _machine.MaxConnections)
        {
            ConnectionOverruns++;
        }
    }

    private void Check(int id, PexMessage message)
    {
        MessagesSent++;
        MaxAddedInAMessage = Math.Max(MaxAddedInAMessage, message.Added.Count);
        MaxDroppedInAMessage = Math.Max(MaxDroppedInAMessage, message.Dropped.Count);
        var connected = _connected[id];
        if (connected.LastMessage is { } last && Now - last < PeerExchangeMachine<int>.Interval)
        {
            EarlyMessages++;
        }
        connected.LastMessage = Now;
        var listens = _connected.Where(c => c.Key != id).Select(c => c.Value.Listen).ToHashSet();
        foreach (var added in message.Added)
        {
            if (!listens.Contains(added.EndPoint))
            {
                WrongAdded++;
            }
            connected.Told.Add(added.EndPoint);
        }
        foreach (var dropped in message.Dropped)
        {
            if (!connected.Told.Remove(dropped) || listens.Contains(dropped))
            {
                WrongDropped++;
            }
        }
    }

    private void Connect(int id, bool outbound)
    {
        if (_connected.ContainsKey(id) || _machine.PeerCount >= _machine.MaxConnections)
        {
            return; // refused: too many peers (the driver's admission)
        }
        var peer = _world[id];
        var connected = new Connected(peer.EndPoint, _random.NextDouble() < 0.9);
        _connected.Add(id, connected);
        // Inbound peers connect from an ephemeral port; their listen port comes with the extension handshake.
        var remote = outbound ? peer.EndPoint : new IPEndPoint(peer.EndPoint.Address, 40000 + _random.Next(20000));
        _machine.PeerConnected(id, remote, outbound);
        var has = new Bitfield(64);
        if (_random.NextDouble() < 0.3)
        {
            has.SetAll();
        }
        _machine.PeerBitfield(id, has);
        At(Now + Latency(), () =>
        {
            if (_connected.ContainsKey(id))
            {
                connected.HandshakeDone = true;
                _machine.PeerHandshake(id, outbound ? null : peer.EndPoint, connected.SupportsPex, Now);
                Collect();
            }
        });
    }

    private int AddToWorld()
    {
        var id = _nextId++;
        var endPoint = new IPEndPoint(new IPAddress([10, (byte)(id >> 16), (byte)(id >> 8), (byte)id]), 6881);
        _world.Add(id, new WorldPeer(_random.NextDouble() < _liars, endPoint));
        _byEndPoint[endPoint] = id;
        return id;
    }

    private void LeaveWorld(int id)
    {
        _departedEndPoints.Add(_world[id].EndPoint);
        _world.Remove(id);
        Departed++;
        if (_connected.Remove(id))
        {
            _machine.PeerDisconnected(id);
        }
    }

    private IPEndPoint MadeUp() =>
        new(new IPAddress([172, 16, (byte)_random.Next(256), (byte)_random.Next(256)]), _random.Next(1, 65536));

    private TimeSpan Latency() => TimeSpan.FromMilliseconds(_random.Next(20, 200));

    private void At(TimeSpan when, Action action) => _later.Add((when, action));

    private sealed record WorldPeer(bool Liar, IPEndPoint EndPoint);

    private sealed class Connected(IPEndPoint listen, bool supportsPex)
    {
        public IPEndPoint Listen { get; } = listen;

        public bool SupportsPex { get; } = supportsPex;

        public bool HandshakeDone { get; set; }

        public TimeSpan? LastMessage { get; set; }

        public TimeSpan LastGossip { get; set; }

        /// <summary>What the messages told it, as the simulation followed them.</summary>
        public HashSet<IPEndPoint> Told { get; } = [];
    }
}
