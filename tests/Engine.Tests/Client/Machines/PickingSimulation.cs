using System.Buffers;
using System.Security.Cryptography;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Picking;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// A leecher's <see cref="PickingMachine{TPeer}"/> and its driver, in a simulated swarm on a simulated clock (events
/// in a priority queue, no sockets, no threads). Honest peers serve requests one after another at their own rate
/// (2-32 KiB/s) after 20-200 ms of latency; a request is lost at the loss rate; peers unchoke us (1 in 4 when we
/// become interested), now and then choke or unchoke us again, learn new pieces, and leave for newcomers at the churn
/// rate. Liars claim every piece and answer with zeros. The driver hashes completed pieces and, as the engine does,
/// reports failed ones to a <see cref="BanMachine{TPeer, TKey}"/>, which strikes the only contributor and bans it at two.
/// </summary>
internal sealed class PickingSimulation
{
    private const int PieceLength = 32 * 1024;

    private readonly TorrentMetainfo _metainfo;
    private readonly byte[] _content;
    private readonly Random _random;
    private readonly PickingMachine<int> _machine;
    private readonly BanMachine<int, int> _bans = new(strikesBeforeBan: 2, peer => peer);
    private readonly Dictionary<int, SimPeer> _peers = [];
    private readonly PriorityQueue<Action, (TimeSpan, long)> _events = new();
    private readonly byte[] _zeros = new byte[WireLimits.BlockSize];
    private long _sequence;
    private int _nextId;
    private int _peerCount;
    private double _liars;

    private PickingSimulation(TorrentMetainfo metainfo, byte[] content, int seed)
    {
        _metainfo = metainfo;
        _content = content;
        _random = new Random(seed);
        _machine = new PickingMachine<int>(new PiecePicker(metainfo, new Bitfield(metainfo.PieceCount), 64, new Random(seed)),
            new PickingOptions(PipelineDepth: 8, MaxPipelineDepth: 64, RequestQueueTime: TimeSpan.FromMilliseconds(500),
                SnubTimeout: TimeSpan.FromSeconds(5)));
    }

    public TimeSpan Now { get; private set; }

    public int PieceCount => _metainfo.PieceCount;

    public long TorrentBytes => _metainfo.Length;

    public bool Complete => _machine.IsComplete;

    public int Verified { get; private set; }

    /// <summary>What the swarm looked like when the run ended (for a failure message).</summary>
    public string Describe()
    {
        var unchoking = _peers.Where(p => !p.Value.ChokingUs).ToList();
        return $"{Now}: {Verified}/{PieceCount} verified, {_machine.Picker.PartialCount} in progress, end game {_machine.IsEndGame}, "
            + $"{_peers.Count} peers, {unchoking.Count} unchoking us ({unchoking.Count(p => _machine.IsInterestedIn(p.Key))} of them interesting, "
            + $"{unchoking.Sum(p => _machine.OutstandingCount(p.Key))} requests out, {unchoking.Count(p => _machine.IsSnubbed(p.Key))} snubbed), "
            + $"failed {FailedPieces}, liars banned {LiarsBanned}, received {BytesReceived} ({BytesFromLiars} from liars) of {TorrentBytes}, "
            + $"snubs {Snubs}, end-game cancels {EndGameCancels}, departed {Departed}";
    }

    public int Departed { get; private set; }

    public int CommandsToAbsentPeers { get; private set; }

    public int RequestsForMissingPieces { get; private set; }

    public int RequestsWhileChoked { get; private set; }

    public int PipelineOverruns { get; private set; }

    public int FailedPieces { get; private set; }

    public int LiarsBanned { get; private set; }

    public int HonestBanned { get; private set; }

    public int Snubs { get; private set; }

    public int EndGameCancels { get; private set; }

    public long BytesReceived { get; private set; }

    public long BytesFromLiars { get; private set; }

    public static async Task<PickingSimulation> CreateAsync(int pieces, int seed, CancellationToken cancellationToken)
    {
        var content = new byte[pieces * PieceLength];
        new Random(seed).NextBytes(content);
        var metainfo = await TorrentMetainfo.CreateAsync(new MemoryStream(content), "sim", pieceLength: PieceLength,
            cancellationToken: cancellationToken);
        return new PickingSimulation(metainfo, content, seed);
    }

    public void Run(int peers, double liars, double churnPerSecond, double lossRate, TimeSpan limit)
    {
        _peerCount = peers;
        _liars = liars;
        for (var i = 0; i < peers; i++)
        {
            Join();
        }
        At(TimeSpan.FromSeconds(1), () => Second(churnPerSecond, lossRate));
        while (!Complete && Now < limit && _events.TryDequeue(out var action, out var key))
        {
            Now = key.Item1;
            action();
            Drive(lossRate);
        }
    }

    private void Second(double churnPerSecond, double lossRate)
    {
        foreach (var (id, peer) in _peers.ToList())
        {
            _machine.PeerRate(id, peer.ReceivedThisSecond);
            peer.ReceivedThisSecond = 0;
            var roll = _random.NextDouble();
            if (roll < churnPerSecond)
            {
                Leave(id);
                Departed++;
                Join();
            }
            else if (roll < churnPerSecond + 0.02)
            {
                // Re-choking on the peer's side.
                var choke = !peer.ChokingUs;
                At(Now + Latency(), () => SetChoke(id, choke));
            }
            else if (roll < churnPerSecond + 0.07 && !peer.Liar && !peer.Has.All)
            {
                var piece = _random.Next(PieceCount);
                if (!peer.Has[piece])
                {
                    peer.Has[piece] = true;
                    At(Now + Latency(), () =>
                    {
                        if (_peers.ContainsKey(id))
                        {
                            _machine.PeerHas(id, piece);
                        }
                    });
                }
            }
        }
        _machine.Tick(Now);
        At(Now + TimeSpan.FromSeconds(1), () => Second(churnPerSecond, lossRate));
    }

    private void Drive(double lossRate)
    {
        while (_machine.TryTake(out var command))
        {
            if (!_peers.TryGetValue(command.Peer, out var peer))
            {
                CommandsToAbsentPeers++;
                continue;
            }
            switch (command.Kind)
            {
                case SwarmCommandKind.Interested:
                    if (_random.NextDouble() < 0.25)
                    {
                        At(Now + 2 * Latency(), () => SetChoke(command.Peer, false));
                    }
                    break;
                case SwarmCommandKind.Request:
                    Request(command.Peer, peer, command.Block, lossRate);
                    break;
                case SwarmCommandKind.Cancel:
                    peer.Cancelled.Add(command.Block);
                    if (_machine.IsEndGame)
                    {
                        EndGameCancels++;
                    }
                    if (_machine.IsSnubbed(command.Peer))
                    {
                        peer.SnubbedSeen = true;
                    }
                    break;
            }
            if (_machine.OutstandingCount(command.Peer) > peer.Reqq)
            {
                PipelineOverruns++;
            }
        }
        foreach (var peer in _peers.Values.Where(p => p.SnubbedSeen))
        {
            Snubs++;
            peer.SnubbedSeen = false;
        }
    }

    private void Request(int id, SimPeer peer, BlockRequest block, double lossRate)
    {
        if (!peer.Has[block.Piece])
        {
            RequestsForMissingPieces++;
        }
        if (peer.ToldChoked)
        {
            RequestsWhileChoked++;
        }
        if (_random.NextDouble() < lossRate)
        {
            return;
        }
        var start = Now + Latency() > peer.BusyUntil ? Now + Latency() : peer.BusyUntil;
        peer.BusyUntil = start + TimeSpan.FromSeconds((double)block.Length / peer.Rate);
        var epoch = peer.ChokeEpoch;
        At(peer.BusyUntil + Latency(), () => Deliver(id, block, epoch));
    }

    private void Deliver(int id, BlockRequest block, int epoch)
    {
        if (!_peers.TryGetValue(id, out var peer) || peer.ChokeEpoch != epoch)
        {
            return; // gone, or it choked us since (BEP 3: a choke discards the requests)
        }
        if (peer.Cancelled.Remove(block) && _random.NextDouble() < 0.7)
        {
            return; // the cancel came in time
        }
        var data = peer.Liar ? _zeros.AsMemory(0, block.Length) : _content.AsMemory(block.Piece * PieceLength + block.Begin, block.Length);
        BytesReceived += block.Length;
        if (peer.Liar)
        {
            BytesFromLiars += block.Length;
        }
        peer.ReceivedThisSecond += block.Length;
        var result = _machine.BlockReceived(id, block.Piece, block.Begin, new ReadOnlySequence<byte>(data), Now, out var completed);
        if (result == BlockResult.PieceComplete && completed is not null)
        {
            Check(completed);
        }
    }

    private void Check(PartialPiece piece)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(piece.Buffer.AsSpan(0, piece.Size), hash);
        var good = hash.SequenceEqual(_metainfo.GetPieceHash(piece.Piece).ToArray());
        var contributors = piece.Contributors.OfType<int>().Distinct().ToList();
        ArrayPool<byte>.Shared.Return(piece.Buffer);
        if (good)
        {
            Verified++;
            _machine.PieceVerified(piece.Piece);
            return;
        }
        FailedPieces++;
        _machine.PieceFailed(piece.Piece);
        _bans.PieceFailed(contributors);
        while (_bans.TryTake(out var ban))
        {
            if (_peers.TryGetValue(ban.Peer, out var culprit))
            {
                if (culprit.Liar)
                {
                    LiarsBanned++;
                }
                else
                {
                    HonestBanned++;
                }
                Leave(ban.Peer);
            }
        }
    }

    private void SetChoke(int id, bool choke)
    {
        if (!_peers.TryGetValue(id, out var peer) || peer.ChokingUs == choke)
        {
            return;
        }
        peer.ChokingUs = choke;
        peer.ToldChoked = choke;
        peer.ChokeEpoch++;
        if (choke)
        {
            _machine.PeerChoked(id);
        }
        else
        {
            _machine.PeerUnchoked(id);
        }
    }

    private void Join()
    {
        var id = _nextId++;
        var liar = _random.NextDouble() < _liars;
        var has = new Bitfield(PieceCount);
        var share = liar || _random.NextDouble() < 0.1 ? 1.0 : 0.2 + 0.6 * _random.NextDouble();
        for (var i = 0; i < PieceCount; i++)
        {
            has[i] = _random.NextDouble() < share;
        }
        var peer = new SimPeer(liar, has, 2048 * Math.Pow(16, _random.NextDouble()) * (liar ? 8 : 1), _random.Next(50, 500));
        _peers.Add(id, peer);
        _machine.PeerMaxRequests(id, peer.Reqq);
        _machine.PeerConnected(id, has, Now);
        _machine.PeerMaxRequests(id, peer.Reqq);
    }

    private void Leave(int id)
    {
        _peers.Remove(id);
        _machine.PeerDisconnected(id);
    }

    private TimeSpan Latency() => TimeSpan.FromMilliseconds(_random.Next(20, 200));

    private void At(TimeSpan when, Action action) => _events.Enqueue(action, (when, _sequence++));

    private sealed class SimPeer(bool liar, Bitfield has, double rate, int reqq)
    {
        public bool Liar { get; } = liar;

        public Bitfield Has { get; } = has;

        /// <summary>Bytes per second it serves at.</summary>
        public double Rate { get; } = rate;

        public int Reqq { get; } = reqq;

        public bool ChokingUs { get; set; } = true;

        /// <summary>What the machine was last told: it must not request from a peer it was told chokes it.</summary>
        public bool ToldChoked { get; set; } = true;

        public int ChokeEpoch { get; set; }

        public TimeSpan BusyUntil { get; set; }

        public HashSet<BlockRequest> Cancelled { get; } = [];

        public long ReceivedThisSecond { get; set; }

        public bool SnubbedSeen { get; set; }
    }
}
