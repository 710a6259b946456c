using System.Net;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Tallies the "ip" field (BEP 42) of answers to our own queries to learn our external address. Each network
/// (an IPv4 /24 or an IPv6 /64 around the voter) has one vote, its latest; an address wins with
/// <c>votesNeeded</c> networks behind it. So one host, or one attacker's block of addresses, answering on
/// many ports counts once. The caller passes only answers to queries it sent (never "ip" in a query).
/// At most <c>maxVoters</c> networks are remembered; beyond that the oldest vote is forgotten. Single owner.
/// </summary>
internal sealed class ExternalAddressVoter(int votesNeeded, int maxVoters)
{
    private readonly Dictionary<UInt128, IPAddress> _votes = [];
    private readonly Queue<UInt128> _order = new();
    private readonly Dictionary<IPAddress, int> _tally = [];

    /// <summary>The address with at least <c>votesNeeded</c> networks behind it, if any.</summary>
    public IPAddress? Leader { get; private set; }

    /// <summary>Records that <paramref name="voter"/> saw us as <paramref name="address"/>; false if it changed no tally.</summary>
    public bool Vote(IPAddress address, IPAddress voter)
    {
        address = SourceKey.Normalize(address);
        var network = NetworkOf(voter);
        if (_votes.TryGetValue(network, out var previous))
        {
            if (previous.Equals(address))
            {
                return false; // this network has already said so
            }
            Remove(previous);
        }
        else
        {
            if (_votes.Count >= maxVoters)
            {
                var oldest = _order.Dequeue();
                Remove(_votes[oldest]);
                _votes.Remove(oldest);
            }
            _order.Enqueue(network);
        }
        _votes[network] = address;
        _tally[address] = _tally.GetValueOrDefault(address) + 1;
        var leaderVotes = Leader is null ? 0 : _tally.GetValueOrDefault(Leader);
        foreach (var (candidate, count) in _tally)
        {
            if (count >= votesNeeded && count > leaderVotes)
            {
                Leader = candidate;
                leaderVotes = count;
            }
        }
        if (leaderVotes < votesNeeded)
        {
            Leader = null;
        }
        return true;
    }

    /// <summary>The voter's network: the /24 of an IPv4 address, the /64 of an IPv6 one.</summary>
    public static UInt128 NetworkOf(IPAddress voter) => SourceKey.Network(voter, 8, 64);

    private void Remove(IPAddress address)
    {
        if (--_tally[address] == 0)
        {
            _tally.Remove(address);
        }
    }
}
