using System.Net;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class ExternalAddressVoterTests
{
    private static readonly IPAddress Claimed = IPAddress.Parse("198.51.100.9");

    [Fact]
    public void One_network_voting_from_many_addresses_counts_once()
    {
        var voter = new ExternalAddressVoter(votesNeeded: 5, maxVoters: 256);
        for (var host = 1; host <= 200; host++)
        {
            voter.Vote(Claimed, IPAddress.Parse($"203.0.113.{host}"));
        }
        Assert.Null(voter.Leader);
        for (var i = 0; i < 100; i++)
        {
            voter.Vote(Claimed, IPAddress.Parse($"2001:db8:1:2:{i:x}::1")); // one IPv6 /64
        }
        Assert.Null(voter.Leader);
    }

    [Fact]
    public void Five_distinct_networks_agreeing_win_and_a_network_can_change_its_vote()
    {
        var voter = new ExternalAddressVoter(votesNeeded: 5, maxVoters: 256);
        Assert.True(voter.Vote(Claimed, IPAddress.Parse("203.0.113.1")));
        Assert.False(voter.Vote(Claimed, IPAddress.Parse("203.0.113.2"))); // same /24, same vote
        voter.Vote(Claimed, IPAddress.Parse("198.18.0.1"));
        voter.Vote(Claimed, IPAddress.Parse("192.0.2.1"));
        voter.Vote(Claimed, IPAddress.Parse("2001:db8:1:2::1"));
        Assert.Null(voter.Leader);
        voter.Vote(Claimed, IPAddress.Parse("2001:db8:1:3::1"));
        Assert.Equal(Claimed, voter.Leader);
        // One of the five now sees another address: the claim has four networks left.
        var moved = IPAddress.Parse("198.51.100.10");
        Assert.True(voter.Vote(moved, IPAddress.Parse("203.0.113.77")));
        Assert.Null(voter.Leader);
    }

    [Fact]
    public void Memory_is_bounded_by_forgetting_the_oldest_votes()
    {
        var voter = new ExternalAddressVoter(votesNeeded: 5, maxVoters: 8);
        for (var i = 0; i < 5; i++)
        {
            voter.Vote(Claimed, IPAddress.Parse($"203.0.{i}.1"));
        }
        Assert.Equal(Claimed, voter.Leader);
        // Four more networks: the table holds 8, so the oldest vote for the claim is forgotten (4 left).
        for (var i = 0; i < 4; i++)
        {
            voter.Vote(IPAddress.Parse($"192.0.2.{i}"), IPAddress.Parse($"198.18.{i}.1"));
        }
        Assert.Null(voter.Leader);
    }
}
