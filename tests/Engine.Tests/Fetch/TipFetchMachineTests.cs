using System.Net;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Fetch;

/// <summary>The decisions of a fetch of tips, against simulated swarms and origins: no sockets, no git, no clock.</summary>
public sealed class TipFetchMachineTests
{
    private static readonly IPEndPoint Seeder = new(IPAddress.Loopback, 30001);

    /// <summary>A repository of tips: main (HEAD), branches b/0..b/(n-1), tags t/0..t/(m-1) (annotated when asked).</summary>
    private static List<FetchTip> Repository(int branches, int tags, bool annotated = false)
    {
        var tips = new List<FetchTip> { new("refs/heads/main", Id("main")) };
        tips.AddRange(Enumerable.Range(0, branches).Select(i => new FetchTip($"refs/heads/b/{i}", Id($"b{i}"))));
        tips.AddRange(Enumerable.Range(0, tags).Select(i => annotated
            ? new FetchTip($"refs/tags/t/{i}", Id($"tag-object{i}"), Id($"b{i}"))
            : new FetchTip($"refs/tags/t/{i}", Id($"b{i}"))));
        return tips;
    }

    private static Hash20 Id(string name) => Hash20.Sha1(System.Text.Encoding.UTF8.GetBytes(name));

    /// <summary>Runs a machine to its end: each command is answered at once by the simulated swarm and origin.</summary>
    private sealed class Simulation(List<FetchTip> tips, Func<AskForPack, Simulation, SwarmFetchResult> swarm, bool origin = true)
    {
        public HashSet<Hash20> Objects { get; } = [];

        public List<AskForPack> Asks { get; } = [];

        public List<FetchFromOrigin> OriginFetches { get; } = [];

        public List<FetchReport> Reports { get; } = [];

        public int MostInFlight { get; private set; }

        public TipFetchOptions Options { get; init; } = new() { ParallelFetches = 4 };

        public TipFetchMachine? Machine { get; private set; }

        public TipFetchOutcome Run(IEnumerable<FetchTip>? order = null)
        {
            Machine = new TipFetchMachine(order ?? tips, "refs/heads/main", [], Objects, Options, origin ? "http://origin/x" : null, 0);
            var queue = new Queue<FetchCommand>(Machine.Start());
            var inFlight = new Queue<AskForPack>();
            while (true)
            {
                while (queue.TryDequeue(out var command))
                {
                    switch (command)
                    {
                        case AskForPack ask:
                            Asks.Add(ask);
                            inFlight.Enqueue(ask);
                            MostInFlight = Math.Max(MostInFlight, inFlight.Count);
                            break;
                        case CheckObjects check:
                            Enqueue(queue, Machine.Handle(new ObjectsChecked(check.Ids.Where(Objects.Contains).ToHashSet()), 0));
                            break;
                        case FetchFromOrigin fetch:
                            OriginFetches.Add(fetch);
                            foreach (var tip in tips.Where(t => fetch.RefNames.Contains(t.RefName)))
                            {
                                Objects.UnionWith([tip.Commit, tip.Object]);
                            }
                            Enqueue(queue, Machine.Handle(new OriginFetched(null), 0));
                            break;
                        case ReportProgress report:
                            Reports.Add(report.Report);
                            break;
                    }
                }
                if (Machine.Outcome is not null)
                {
                    break;
                }
                Assert.True(inFlight.Count > 0, "the machine waits for nothing");
                var next = inFlight.Dequeue();
                var result = swarm(next, this);
                if (result.Success)
                {
                    Objects.Add(next.Sha);
                }
                var present = next.Wants.Prepend(next.Sha).Where(Objects.Contains).ToHashSet();
                Enqueue(queue, Machine.Handle(new PackFetched(next.Request, result, present), 0));
            }
            return Machine.Outcome;
        }

        private static void Enqueue(Queue<FetchCommand> queue, IEnumerable<FetchCommand> commands)
        {
            foreach (var command in commands)
            {
                queue.Enqueue(command);
            }
        }
    }

    private static SwarmFetchResult Served() => new(true, 1000, [Seeder.ToString()], []) { Peers = [Seeder], PeersFound = 1 };

    private static SwarmFetchResult NoPeer() => new(false, 0, [], ["no peer announces this commit"]);

    [Fact]
    public void No_seeder_one_lookup_then_everything_from_the_origin_in_one_fetch()
    {
        var tips = Repository(branches: 150, tags: 100, annotated: true);
        var simulation = new Simulation(tips, (_, _) => NoPeer());
        var outcome = simulation.Run();
        Assert.True(outcome.Success, outcome.Error);
        var ask = Assert.Single(simulation.Asks);
        Assert.True(ask.LookUp);
        Assert.Equal(Id("main"), ask.Sha);
        Assert.Equal(150, ask.Wants.Count); // the distinct other commits (tags peel to branch commits)
        var origin = Assert.Single(simulation.OriginFetches);
        Assert.Equal(tips.Select(t => t.RefName).Order(StringComparer.Ordinal), origin.RefNames);
        Assert.Equal(251, outcome.OriginRefs);
        Assert.Contains(simulation.Reports, r => r.Message.StartsWith($"no peer has {Id("main")} after ", StringComparison.Ordinal)
            && r.Message.EndsWith(", fetching from the origin", StringComparison.Ordinal));
    }

    [Fact]
    public void A_seeder_with_only_heads_branch_serves_it_and_every_other_tip_comes_from_the_origin_in_one_fetch()
    {
        var tips = Repository(branches: 120, tags: 90);
        // The seeder has main only: it packs main, ignores the wants it lacks, and refuses a tip it lacks.
        var simulation = new Simulation(tips, (ask, _) => ask.Sha == Id("main") ? Served()
            : new SwarmFetchResult(false, 0, [], [$"{Seeder}: unknown commit {ask.Sha}"]) { PeersFound = 0 });
        var outcome = simulation.Run();
        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(1, outcome.SwarmPacks);
        Assert.Single(simulation.Asks, a => a.LookUp); // one DHT lookup: main's
        Assert.Equal(2, simulation.Asks.Count); // main with wants, then one other tip alone from the same seeder
        Assert.Equal([Seeder], simulation.Asks[1].KnownPeers);
        Assert.Equal(Id("b/0".Replace("/", "", StringComparison.Ordinal)), simulation.Asks[1].Sha);
        var origin = Assert.Single(simulation.OriginFetches);
        Assert.Equal(tips.Where(t => t.RefName != "refs/heads/main").Select(t => t.RefName).Order(StringComparer.Ordinal), origin.RefNames);
        Assert.Equal([Id("main")], simulation.Asks[1].Haves); // the first fetched tip is a have from then on
    }

    [Fact]
    public void A_seeder_that_ignores_wants_is_asked_for_each_tip_a_few_at_a_time_and_the_origin_is_not_asked()
    {
        var tips = Repository(branches: 10, tags: 3);
        var simulation = new Simulation(tips, (_, _) => Served());
        var outcome = simulation.Run();
        Assert.True(outcome.Success, outcome.Error);
        Assert.Empty(simulation.OriginFetches);
        Assert.Single(simulation.Asks, a => a.LookUp);
        Assert.Equal(11, simulation.Asks.Count); // main, then the 10 branches one by one; the tags peel to them
        Assert.All(simulation.Asks.Skip(1), a => Assert.Empty(a.Wants));
        Assert.InRange(simulation.MostInFlight, 2, 4);
        Assert.Contains(simulation.Reports, r => r.Message == "Fetching 10 more tip(s) from the swarm, 4 at a time");
    }

    [Fact]
    public void A_seeder_that_packs_the_wants_serves_everything_in_one_pack_and_beyond_1024_wants_in_a_second()
    {
        var small = new Simulation(Repository(branches: 19, tags: 5), (ask, sim) =>
        {
            sim.Objects.UnionWith(ask.Wants);
            return Served();
        });
        Assert.True(small.Run().Success);
        Assert.Single(small.Asks);
        Assert.Contains(small.Reports, r => r.Message == "Also received 19 more tip(s) in the same pack");

        var large = new Simulation(Repository(branches: 1100, tags: 0), (ask, sim) =>
        {
            sim.Objects.UnionWith(ask.Wants);
            return Served();
        });
        Assert.True(large.Run().Success);
        Assert.Equal(2, large.Asks.Count);
        Assert.Equal(GitTorrentMessage.MaxWants, large.Asks[0].Wants.Count);
        Assert.False(large.Asks[1].LookUp);
        Assert.Equal(1100 - 1 - GitTorrentMessage.MaxWants, large.Asks[1].Wants.Count);
        Assert.Empty(large.OriginFetches);
    }

    [Fact]
    public void Annotated_tag_objects_the_pack_left_out_come_from_the_origin_alone()
    {
        var tips = Repository(branches: 3, tags: 3, annotated: true);
        var simulation = new Simulation(tips, (ask, sim) =>
        {
            sim.Objects.UnionWith(ask.Wants); // commits only, no tag objects
            return Served();
        });
        Assert.True(simulation.Run().Success);
        var origin = Assert.Single(simulation.OriginFetches);
        Assert.Equal(["refs/tags/t/0", "refs/tags/t/1", "refs/tags/t/2"], origin.RefNames);
    }

    [Fact]
    public void Without_an_origin_a_fetch_nobody_serves_fails_naming_the_commit_and_what_was_tried()
    {
        var simulation = new Simulation(Repository(branches: 5, tags: 0), (_, _) =>
            new SwarmFetchResult(false, 0, [], ["127.0.0.1:4000: peer 127.0.0.1:4000 did not answer within 10 s"]) { PeersFound = 1 },
            origin: false);
        var outcome = simulation.Run();
        Assert.False(outcome.Success);
        Assert.Single(simulation.Asks);
        Assert.Contains($"refs/heads/main ({Id("main")})", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("the DHT lookup found 1 peer(s)", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:4000: peer 127.0.0.1:4000 did not answer within 10 s", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_peer_reached_within_the_swarm_timeout_sends_the_host_form_to_the_origin_at_the_deadline()
    {
        var options = new TipFetchOptions { SwarmTimeout = TimeSpan.FromMilliseconds(1200) };
        var machine = new TipFetchMachine(Repository(branches: 40, tags: 10), "refs/heads/main", [], [], options, "http://origin/x", 5_000);
        var lead = Assert.Single(machine.Start().OfType<AskForPack>());
        Assert.Equal(6_200, machine.WakeAtMs);
        Assert.Empty(machine.Tick(6_199));
        var commands = machine.Tick(6_200);
        Assert.Equal(lead.Request, Assert.Single(commands.OfType<GiveUpPack>()).Request);
        Assert.Contains(commands.OfType<ReportProgress>(), r => r.Report.Message == $"no peer has {Id("main")} after 1.2 s, fetching from the origin");
        Assert.Equal(51, Assert.Single(commands.OfType<FetchFromOrigin>()).RefNames.Count);
        Assert.Null(machine.WakeAtMs);
        // The given-up lead's late answer changes nothing.
        Assert.Empty(machine.Handle(new PackFetched(lead.Request, NoPeer(), new HashSet<Hash20>()), 6_300));
        var done = machine.Handle(new OriginFetched(null), 9_000);
        Assert.True(Assert.Single(done.OfType<FinishFetch>()).Outcome.Success);
    }

    [Fact]
    public void No_peer_reached_within_the_swarm_timeout_fails_the_key_form_with_what_was_tried()
    {
        var options = new TipFetchOptions { SwarmTimeout = TimeSpan.FromSeconds(2) };
        var machine = new TipFetchMachine(Repository(branches: 2, tags: 0), "refs/heads/main", [], [], options, null, 0);
        var lead = Assert.Single(machine.Start().OfType<AskForPack>());
        var commands = machine.Tick(2_000);
        Assert.Single(commands.OfType<GiveUpPack>());
        Assert.Null(machine.Outcome); // waits for the lead to say what it tried
        var tried = new SwarmFetchResult(false, 0, [], ["stopped after 2.0 s with 0 peer(s) found"]);
        var finish = Assert.Single(machine.Handle(new PackFetched(lead.Request, tried, new HashSet<Hash20>()), 2_010).OfType<FinishFetch>());
        Assert.False(finish.Outcome.Success);
        Assert.Equal($"could not fetch from the swarm: refs/heads/main ({Id("main")}): no peer has it after 2.0 s; "
            + "the DHT lookup found no peer; stopped after 2.0 s with 0 peer(s) found", finish.Outcome.Error);
    }

    [Fact]
    public void A_peer_reached_in_time_is_not_given_up_at_the_deadline()
    {
        var machine = new TipFetchMachine(Repository(branches: 2, tags: 0), "refs/heads/main", [], [], new TipFetchOptions(), null, 0);
        var lead = Assert.Single(machine.Start().OfType<AskForPack>());
        Assert.NotNull(machine.WakeAtMs);
        machine.Handle(new PeerReached(lead.Request), 500);
        Assert.Null(machine.WakeAtMs);
        Assert.Empty(machine.Tick(60_000));
    }

    [Fact]
    public void The_same_refs_in_any_order_give_the_same_requests()
    {
        var tips = Repository(branches: 30, tags: 20, annotated: true);
        tips.Add(new FetchTip("HEAD", Id("main")));
        var shuffled = tips.OrderBy(t => Hash20.Sha1(System.Text.Encoding.UTF8.GetBytes(t.RefName + "x"))).ToList();
        var first = new TipFetchMachine(tips, "refs/heads/main", [Id("old")], [], new TipFetchOptions(), null, 0).Start().OfType<AskForPack>().Single();
        var second = new TipFetchMachine(shuffled, "refs/heads/main", [Id("old")], [], new TipFetchOptions(), null, 0).Start().OfType<AskForPack>().Single();
        Assert.Equal(first.Sha, second.Sha);
        Assert.Equal(first.Wants, second.Wants);
        Assert.Equal(first.Haves, second.Haves);
        Assert.Equal(Id("main"), first.Sha);
        Assert.Equal(Id("b0"), first.Wants[0]);
        Assert.Equal(Id("b1"), first.Wants[1]);
        Assert.Equal(Id("b10"), first.Wants[2]); // by ref name: b/0, b/1, b/10, ...
    }
}
