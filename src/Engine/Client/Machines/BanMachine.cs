namespace GitTorrent.Engine.Client.Machines;

/// <summary>
/// Bans as a sans-IO machine: misbehaviour is scored per ban key (an address, or address and peer id on loopback,
/// where every test peer shares one address) and a key that reaches <see cref="StrikesBeforeBan"/> strikes is banned:
/// its connection gets a <see cref="SwarmCommandKind.Ban"/> command (close, count, log) and the driver refuses the key
/// from then on (<see cref="IsBanned"/>). A strike is a piece that failed its hash with one peer as its only
/// contributor; a failed piece assembled from several peers strikes nobody (the culprit is unknown, and the picker
/// gives the piece to one peer next time, so a liar is found on its own). Honest peers that shared a piece with a
/// liar are therefore never struck.
/// </summary>
/// <param name="strikesBeforeBan">Strikes that ban a key (<see cref="TorrentEngineOptions.StrikesBeforeBan"/>).</param>
/// <param name="keyOf">The ban key of a peer.</param>
public sealed class BanMachine<TPeer, TKey>(int strikesBeforeBan, Func<TPeer, TKey> keyOf)
    where TPeer : notnull where TKey : notnull
{
    private readonly Dictionary<TKey, int> _strikes = [];
    private readonly HashSet<TKey> _banned = [];
    private readonly Queue<SwarmCommand<TPeer>> _outbox = new();
    private readonly List<TPeer> _contributors = [];

    public int StrikesBeforeBan { get; } = Math.Max(1, strikesBeforeBan);

    /// <summary>Keys banned so far.</summary>
    public int BannedCount => _banned.Count;

    public bool IsBanned(TKey key) => _banned.Contains(key);

    public int StrikesOf(TKey key) => _strikes.GetValueOrDefault(key);

    /// <summary>
    /// A piece failed its hash; <paramref name="contributors"/> sent its blocks (repeats allowed). Strikes the peer
    /// when it was the only one, and bans it at <see cref="StrikesBeforeBan"/> strikes. The peer may have left
    /// already: its key is struck (and banned) all the same.
    /// </summary>
    public void PieceFailed(IEnumerable<TPeer> contributors)
    {
        _contributors.Clear();
        foreach (var peer in contributors)
        {
            if (!_contributors.Contains(peer))
            {
                _contributors.Add(peer);
                if (_contributors.Count > 1)
                {
                    return;
                }
            }
        }
        if (_contributors.Count == 1)
        {
            Strike(_contributors[0]);
        }
    }

    /// <summary>The next command for the driver, in the order they were decided.</summary>
    public bool TryTake(out SwarmCommand<TPeer> command) => _outbox.TryDequeue(out command);

    private void Strike(TPeer peer)
    {
        var key = keyOf(peer);
        if (_banned.Contains(key))
        {
            return; // a piece it sent before the ban failed: it is gone already
        }
        var strikes = _strikes[key] = _strikes.GetValueOrDefault(key) + 1;
        if (strikes >= StrikesBeforeBan)
        {
            _banned.Add(key);
            _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Ban, peer, Index: strikes));
        }
    }
}
