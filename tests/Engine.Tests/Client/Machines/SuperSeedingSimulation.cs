using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// An adaptive super-seeder (<see cref="SuperSeedingMachine{TPeer}"/> and a driver) among leechers on a simulated
/// clock (100 ms steps, no sockets). <c>concurrent</c> leechers are connected at once; whoever leaves is replaced until
/// <c>total</c> have joined. Leechers fetch up to four pieces at a time: a piece another leecher holds from it, else a
/// piece the seeder showed them from the seeder; haves reach the seeder and the seeder's haves reach the leechers after
/// 20-200 ms. Liars announce every piece they are shown at once and never serve one (a leecher that waited 2 s on one
/// stops asking it); a share of leechers leaves mid-way; the rest stay 20 s as seeds after completing.
/// </summary>
internal sealed class SuperSeedingSimulation
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private const int Slots = 4;

    private readonly int _pieces;
    private readonly int _concurrent;
    private readonly int _total;
    private readonly double _liars;
    private readonly double _leaving;
    private readonly Random _random;
    private readonly SuperSeedingMachine<int> _machine;
    private readonly Dictionary<int, Leecher> _leechers = [];
    private readonly List<(TimeSpan At, Action Action)> _inFlight = [];

    /// <summary>Per piece, the leechers that hold it or claim to (liars).</summary>
    private readonly List<int>[] _holders;
    private int _nextId;
    private long _seederPieces;
    private bool _firstCompleted;

    public SuperSeedingSimulation(int pieces, int concurrent, int total, double liars, double leaving, int seed)
    {
        _pieces = pieces;
        _concurrent = concurrent;
        _total = total;
        _liars = liars;
        _leaving = leaving;
        _random = new Random(seed);
        _machine = new SuperSeedingMachine<int>(pieces, 64 * 1024, adaptive: true, new Random(seed));
        _holders = [.. Enumerable.Range(0, pieces).Select(_ => new List<int>())];
    }

    public TimeSpan Now { get; private set; }

    public int Joined => _nextId;

    public int Left { get; private set; }

    public int HonestCompleted { get; private set; }

    /// <summary>Honest leechers still connected and incomplete when the run ended.</summary>
    public int HonestStalled { get; private set; }

    /// <summary>Torrents' worth the seeder uploaded.</summary>
    public double SeederCopies => (double)_seederPieces / _pieces;

    public double CopiesBeforeFirstCompletion { get; private set; }

    /// <summary>Pieces nobody holds shown to a second peer while another such piece was shown to nobody.</summary>
    public int SharedReveals { get; private set; }

    public int CommandsToAbsentPeers { get; private set; }

    public string Describe() =>
        $"{Now}: joined {Joined}, left {Left}, honest completed {HonestCompleted}, stalled {HonestStalled}, seeder copies "
        + $"{SeederCopies:F2} ({CopiesBeforeFirstCompletion:F2} before the first completion), shared reveals {SharedReveals}, "
        + $"connected {_leechers.Count}";

    public void Run(TimeSpan limit)
    {
        for (var i = 0; i < _concurrent; i++)
        {
            Join();
        }
        while (Now < limit && (_nextId < _total || _leechers.Values.Any(l => !l.Liar && !l.Has.All)))
        {
            Now += Step;
            foreach (var (at, action) in _inFlight.Where(m => m.At <= Now).ToList())
            {
                action();
            }
            _inFlight.RemoveAll(m => m.At <= Now);
            foreach (var (id, leecher) in _leechers.ToList())
            {
                Advance(id, leecher);
            }
            _machine.Tick(Now);
            Collect();
        }
        HonestStalled = _leechers.Values.Count(l => !l.Liar && !l.Has.All);
    }

    private void Advance(int id, Leecher leecher)
    {
        if (Now >= leecher.LeaveAt)
        {
            Leave(id);
            return;
        }
        if (leecher.Liar)
        {
            return;
        }
        foreach (var fetch in leecher.Fetches.Where(f => f.Done <= Now).ToList())
        {
            leecher.Fetches.Remove(fetch);
            if (fetch.FromLiar >= 0)
            {
                leecher.Distrusted.Add(fetch.FromLiar); // waited in vain
                continue;
            }
            if (fetch.FromSeeder)
            {
                _seederPieces++;
            }
            Got(id, leecher, fetch.Piece);
        }
        while (leecher.Fetches.Count < Slots && Pick(id, leecher) is { } fetch)
        {
            leecher.Fetches.Add(fetch);
        }
    }

    private Fetch? Pick(int id, Leecher leecher)
    {
        var start = _random.Next(_pieces);
        Fetch? fromSeeder = null;
        for (var k = 0; k < _pieces; k++)
        {
            var piece = (start + k) % _pieces;
            if (leecher.Truth[piece] || IsFetching(leecher, piece))
            {
                continue;
            }
            foreach (var holder in _holders[piece])
            {
                if (holder != id && !leecher.Distrusted.Contains(holder))
                {
                    var liar = _leechers[holder].Liar;
                    return new Fetch(piece, Now + (liar ? TimeSpan.FromSeconds(2) : Transfer()), false, liar ? holder : -1);
                }
            }
            if (fromSeeder is null && leecher.Shown.Contains(piece))
            {
                fromSeeder = new Fetch(piece, Now + Transfer(), true, -1);
            }
        }
        return fromSeeder;
    }

    private static bool IsFetching(Leecher leecher, int piece)
    {
        foreach (var fetch in leecher.Fetches)
        {
            if (fetch.Piece == piece)
            {
                return true;
            }
        }
        return false;
    }

    private void Got(int id, Leecher leecher, int piece)
    {
        leecher.Truth[piece] = true;
        _holders[piece].Add(id);
        Announce(id, piece);
        if (leecher.Truth.All)
        {
            HonestCompleted++;
            if (!_firstCompleted)
            {
                _firstCompleted = true;
                CopiesBeforeFirstCompletion = SeederCopies;
            }
            leecher.LeaveAt = Now + TimeSpan.FromSeconds(20);
        }
    }

    /// <summary>The have reaches the seeder after the latency (the driver sets the bit, then tells the machine).</summary>
    private void Announce(int id, int piece) => Later(() =>
    {
        if (_leechers.TryGetValue(id, out var leecher) && !leecher.Has[piece])
        {
            leecher.Has[piece] = true;
            _machine.PeerHas(id, piece, Now);
            Collect();
        }
    });

    private void Collect()
    {
        while (_machine.TryTake(out var command))
        {
            if (!_leechers.TryGetValue(command.Peer, out var target))
            {
                CommandsToAbsentPeers++;
                continue;
            }
            CheckReveal(command.Peer, command.Index);
            var id = command.Peer;
            var piece = command.Index;
            Later(() =>
            {
                if (_leechers.TryGetValue(id, out var leecher))
                {
                    leecher.Shown.Add(piece);
                    if (leecher.Liar && !leecher.Truth[piece])
                    {
                        leecher.Truth[piece] = true; // claims it, never serves it
                        _holders[piece].Add(id);
                        Announce(id, piece);
                    }
                }
            });
        }
    }

    /// <summary>A piece nobody holds should go to a second peer only when every such piece is shown to somebody.</summary>
    private void CheckReveal(int to, int piece)
    {
        if (_machine.Availability(piece) > 0)
        {
            return;
        }
        var pending = new HashSet<int>();
        foreach (var (id, leecher) in _leechers)
        {
            if (id != to)
            {
                pending.UnionWith(_machine.Revealed(id).Where(p => !leecher.Has[p]));
            }
        }
        if (!pending.Contains(piece))
        {
            return;
        }
        var target = _leechers[to].Has;
        for (var p = 0; p < _pieces; p++)
        {
            if (_machine.Availability(p) == 0 && !pending.Contains(p) && !target[p] && !_machine.Revealed(to).Contains(p) && p != piece)
            {
                SharedReveals++;
                return;
            }
        }
    }

    private void Join()
    {
        var id = _nextId++;
        var liar = _random.NextDouble() < _liars;
        var leaves = liar || _random.NextDouble() < _leaving;
        var leecher = new Leecher(liar, _pieces)
        {
            // Leavers go mid-way (a download takes ~20-40 s here); liars stay a while, then go too.
            LeaveAt = leaves ? Now + TimeSpan.FromSeconds(liar ? _random.Next(30, 120) : _random.Next(2, 30)) : TimeSpan.MaxValue,
        };
        _leechers.Add(id, leecher);
        _machine.PeerConnected(id, leecher.Has);
        Later(() =>
        {
            _machine.PeerReady(id, Now);
            Collect();
        });
    }

    private void Leave(int id)
    {
        var leecher = _leechers[id];
        _leechers.Remove(id);
        for (var p = 0; p < _pieces; p++)
        {
            if (leecher.Truth[p])
            {
                _holders[p].Remove(id);
            }
        }
        _machine.PeerDisconnected(id, Now);
        Left++;
        Collect();
        if (_nextId < _total)
        {
            Join();
        }
    }

    private TimeSpan Transfer() => TimeSpan.FromMilliseconds(_random.Next(100, 400));

    private void Later(Action action) => _inFlight.Add((Now + TimeSpan.FromMilliseconds(_random.Next(20, 200)), action));

    private sealed record Fetch(int Piece, TimeSpan Done, bool FromSeeder, int FromLiar);

    private sealed class Leecher(bool liar, int pieces)
    {
        public bool Liar { get; } = liar;

        /// <summary>What the seeder was told (the driver's bitfield, read by the machine).</summary>
        public Bitfield Has { get; } = new(pieces);

        /// <summary>What it holds (or, for a liar, claims).</summary>
        public Bitfield Truth { get; } = new(pieces);

        /// <summary>Pieces the seeder's haves showed it.</summary>
        public HashSet<int> Shown { get; } = [];

        public List<Fetch> Fetches { get; } = [];

        public HashSet<int> Distrusted { get; } = [];

        public TimeSpan LeaveAt { get; set; }
    }
}
