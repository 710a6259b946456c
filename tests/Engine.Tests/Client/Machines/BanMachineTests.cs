using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Tests.Client.Machines;

/// <summary>
/// The ban machine without sockets: strikes and bans one event at a time, and a simulated swarm of 500 peers (20%
/// liars, 30% churn, liars coming back under the same address) whose failed pieces are reported to it.
/// </summary>
public sealed class BanMachineTests
{
    [Fact]
    public void A_peer_alone_behind_two_failed_pieces_is_banned_once_and_shared_failures_strike_nobody()
    {
        var machine = new BanMachine<string, string>(2, peer => peer.Split('#')[0]);
        machine.PieceFailed(["liar#1", "honest#1"]);
        machine.PieceFailed(["liar#1", "honest#1", "liar#1"]);
        Assert.Equal(0, machine.StrikesOf("liar"));
        Assert.Equal(0, machine.StrikesOf("honest"));
        machine.PieceFailed(["liar#1", "liar#1"]);
        Assert.Equal(1, machine.StrikesOf("liar"));
        Assert.False(machine.TryTake(out _));
        // A second connection from the same key: the strikes add up.
        machine.PieceFailed(["liar#2"]);
        Assert.True(machine.TryTake(out var ban));
        Assert.Equal((SwarmCommandKind.Ban, "liar#2", 2), (ban.Kind, ban.Peer, ban.Index));
        Assert.True(machine.IsBanned("liar"));
        Assert.False(machine.IsBanned("honest"));
        // A piece it sent before the ban fails later: no second ban.
        machine.PieceFailed(["liar#1"]);
        Assert.False(machine.TryTake(out _));
        Assert.Equal(1, machine.BannedCount);
    }

    [Fact]
    public void In_a_swarm_of_500_with_20_percent_liars_and_30_percent_churn_liars_are_banned_and_honest_peers_never()
    {
        var random = new Random(13);
        var machine = new BanMachine<int, int>(2, peer => peer / 10); // peer ids id*10 + connection: the key is the address
        var liars = new HashSet<int>();
        var connected = new List<int>();
        var connections = new Dictionary<int, int>();
        var nextAddress = 0;
        var refused = 0;
        var bans = new List<int>();
        var soloFailures = new Dictionary<int, int>();
        void Join(int address)
        {
            if (machine.IsBanned(address))
            {
                refused++;
                return;
            }
            var connection = connections[address] = connections.GetValueOrDefault(address) + 1;
            connected.Add((address * 10) + connection);
        }
        for (var i = 0; i < 500; i++)
        {
            if (random.NextDouble() < 0.2)
            {
                liars.Add(nextAddress);
            }
            Join(nextAddress++);
        }
        var departed = 0;
        for (var round = 0; round < 20_000; round++)
        {
            // Each piece comes from one peer (60%) or from two or three.
            var count = random.NextDouble() < 0.6 ? 1 : random.Next(2, 4);
            var contributors = Enumerable.Range(0, count).Select(_ => connected[random.Next(connected.Count)]).ToList();
            var spoiled = contributors.Any(c => liars.Contains(c / 10) && random.NextDouble() < 0.9);
            if (spoiled)
            {
                machine.PieceFailed(contributors);
                if (contributors.Distinct().Count() == 1)
                {
                    soloFailures[contributors[0] / 10] = soloFailures.GetValueOrDefault(contributors[0] / 10) + 1;
                }
            }
            while (machine.TryTake(out var command))
            {
                Assert.Equal(SwarmCommandKind.Ban, command.Kind);
                bans.Add(command.Peer / 10);
                connected.RemoveAll(peer => peer / 10 == command.Peer / 10); // the driver closes every connection of the key
            }
            // 30% churn over the run; half of the liars that leave come back from the same address.
            if (random.NextDouble() < 150.0 / 20_000)
            {
                var leaving = connected[random.Next(connected.Count)];
                connected.Remove(leaving);
                departed++;
                Join(liars.Contains(leaving / 10) && random.NextDouble() < 0.5 ? leaving / 10 : nextAddress++);
            }
            if (random.NextDouble() < 0.005)
            {
                var address = liars.ElementAt(random.Next(liars.Count));
                Join(address); // a banned liar tries again
            }
        }
        Assert.True(departed >= 120, $"departed {departed}");
        Assert.DoesNotContain(bans, address => !liars.Contains(address));
        Assert.Equal(bans.Count, bans.Distinct().Count());
        // Every liar alone behind two failed pieces is banned, and every banned liar was.
        var deserved = soloFailures.Where(f => f.Value >= 2).Select(f => f.Key).Order().ToList();
        Assert.Equal(deserved, bans.Order().ToList());
        Assert.True(bans.Count >= liars.Count * 0.8, $"banned {bans.Count} of {liars.Count} liars");
        Assert.True(refused > 0, "no banned liar tried to come back");
        Assert.DoesNotContain(connected, peer => machine.IsBanned(peer / 10));
    }
}
