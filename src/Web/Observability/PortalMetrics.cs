using System.Diagnostics.Metrics;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Names;
using GitTorrent.Indexer.Node;

namespace GitTorrent.Web.Observability;

/// <summary>
/// The portal's own instruments (meter <see cref="MeterName"/>) for <c>/metrics</c>: every one is observable and reads
/// the counters the parts already keep (the DHT node's, the swarm node's and its limits, the job runner's per kind, the
/// name scanner's, the portal's limit counters), so nothing is counted twice and a scrape costs no I/O.
/// </summary>
public sealed class PortalMetrics : IDisposable
{
    public const string MeterName = "GitTorrent";

    private readonly Meter _meter;

    public PortalMetrics(IMeterFactory meters, NodeHost host, JobRunner jobs, PortalCounters counters, IServiceProvider services)
    {
        _meter = meters.Create(MeterName);
        var scanner = services.GetService<NameScannerService>();

        // DHT (BEP 5 node): routing table, queries in and out, datagrams dropped by reason.
        _meter.CreateObservableGauge("gittorrent.dht.nodes", () => Dht(host, d => (long)d.RoutingTableSize), "{node}", "Nodes in the routing table");
        _meter.CreateObservableCounter("gittorrent.dht.queries.received", () => Dht(host, d => d.QueriesReceived), "{query}", "KRPC queries received");
        _meter.CreateObservableCounter("gittorrent.dht.queries.sent", () => Dht(host, d => d.QueriesSent), "{query}", "KRPC queries sent");
        _meter.CreateObservableCounter("gittorrent.dht.responses.received", () => Dht(host, d => d.ResponsesReceived), "{response}", "KRPC responses received");
        _meter.CreateObservableCounter("gittorrent.dht.timeouts", () => Dht(host, d => d.Timeouts), "{query}", "Queries sent that timed out");
        _meter.CreateObservableCounter("gittorrent.dht.dropped", () => DhtDropped(host), "{datagram}", "Datagrams dropped, by reason");
        _meter.CreateObservableGauge("gittorrent.dht.items.stored", () => Dht(host, d => (long)d.ItemsStored), "{item}", "BEP 44 items stored");
        _meter.CreateObservableGauge("gittorrent.dht.peers.stored", () => Dht(host, d => (long)d.PeersStored), "{peer}", "Announced peers stored");

        // Swarm (BitTorrent): peers, piece payload up and down, packs, bans and refused connections.
        _meter.CreateObservableGauge("gittorrent.swarm.peers", () => Swarm(host, s => s.Peers), "{peer}", "Peers connected");
        _meter.CreateObservableCounter("gittorrent.swarm.uploaded", () => Swarm(host, s => s.Uploaded), "By", "Piece payload sent to peers");
        _meter.CreateObservableCounter("gittorrent.swarm.downloaded", () => Swarm(host, s => s.Downloaded), "By", "Piece payload received from peers");
        _meter.CreateObservableGauge("gittorrent.swarm.packs", () => Swarm(host, s => s.Packs.Count), "{pack}", "Pack torrents seeded");
        _meter.CreateObservableCounter("gittorrent.swarm.bans", () => Swarm(host, s => s.Limits?.PeersBanned ?? 0), "{peer}", "Peers banned for pieces that failed their hash");
        _meter.CreateObservableCounter("gittorrent.swarm.refused", () => SwarmRefused(host), "{connection}", "Connections and pack builds refused, by limit");

        // Indexer (Bitcoin names): height, the node's height, lag, entries.
        _meter.CreateObservableGauge("gittorrent.indexer.height", () => Indexer(scanner, r => r.Tip?.Height ?? 0), "{block}", "Highest block indexed");
        _meter.CreateObservableGauge("gittorrent.indexer.node.height", () => Indexer(scanner, r => r.NodeTip), "{block}", "The Bitcoin node's tip at the last step");
        _meter.CreateObservableGauge("gittorrent.indexer.lag", () => Indexer(scanner, r => Math.Max(0, r.NodeTip - (r.Tip?.Height ?? 0))), "{block}", "Blocks the index is behind the node");
        _meter.CreateObservableCounter<long>("gittorrent.indexer.entries", () => scanner is null ? [] : [new Measurement<long>(scanner.EntriesCounted)], "{entry}", "Name entries found in blocks");

        // Jobs (leased background work): mirror syncs, profile crawls, origin checks, chain steps, swarm fetches.
        _meter.CreateObservableCounter("gittorrent.jobs.runs", () => Jobs(jobs, k => k.Runs), "{run}", "Jobs run, by kind");
        _meter.CreateObservableCounter("gittorrent.jobs.errors", () => Jobs(jobs, k => k.Errors), "{run}", "Jobs that failed, by kind");
        _meter.CreateObservableCounter("gittorrent.jobs.duration", () => jobs.KindStatistics.Select(k => new Measurement<double>(k.Seconds, new KeyValuePair<string, object?>("kind", k.Kind))),
            "s", "Time spent in job handlers, by kind");

        // Discovery of users, by source (put, feed, request) and outcome (seen, lookup, ratelimited, dropped, notfound, stored).
        if (services.GetService<Indexer.Discovery.DiscoveryStatistics>() is { } discovery)
        {
            _meter.CreateObservableCounter("gittorrent.discovery.ids", () => discovery.All().Select(d => new Measurement<long>(d.Count,
                    new KeyValuePair<string, object?>("source", d.Source.ToString().ToLowerInvariant()),
                    new KeyValuePair<string, object?>("outcome", d.Outcome.ToString().ToLowerInvariant()))),
                "{id}", "User ids discovered, by source and outcome");
        }
        if (services.GetService<Indexer.Discovery.DiscoveryQueue>() is { } queue)
        {
            _meter.CreateObservableGauge("gittorrent.discovery.pending", () => (long)queue.Count, "{id}", "User ids waiting for a DHT lookup");
        }

        // The portal's own limits (sign-in, upload-pack slots, request bodies, quotas).
        _meter.CreateObservableCounter("gittorrent.portal.limits", () => counters.Snapshot().Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("limit", c.Key))),
            "{event}", "Times a portal limit bit, by limit");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Dht(NodeHost host, Func<Engine.Dht.DhtStatistics, long> read) =>
        host.Current is { } node ? [new Measurement<long>(read(node.Dht.Statistics))] : [];

    private static IEnumerable<Measurement<long>> DhtDropped(NodeHost host)
    {
        if (host.Current is not { } node)
        {
            return [];
        }
        var d = node.Dht.Statistics;
        return
        [
            Reason(d.MalformedDropped, "malformed"), Reason(d.RateLimited, "rate_limited"), Reason(d.QueueOverflows, "queue_full"),
            Reason(d.UnexpectedReplies, "unexpected_reply"), Reason(d.NodeIdsRejected, "node_id_rejected"),
            Reason(d.AnnouncesRefusedPerAddress, "announce_per_address"), Reason(d.AnnouncesRefusedFull, "announce_store_full"),
            Reason(d.PutsRefusedPerAddress, "put_per_address"),
        ];
    }

    private static IEnumerable<Measurement<long>> Swarm(NodeHost host, Func<NodeStatistics, long> read) =>
        host.Current is { } node ? [new Measurement<long>(read(node.GetStatistics()))] : [];

    private static IEnumerable<Measurement<long>> SwarmRefused(NodeHost host)
    {
        if (host.Current?.GetStatistics().Limits is not { } l)
        {
            return [];
        }
        return
        [
            Reason(l.RefusedInbound, "inbound_total", "limit"), Reason(l.RefusedPerAddress, "inbound_per_address", "limit"),
            Reason(l.RefusedOutbound, "outbound_total", "limit"), Reason(l.HandshakeTimeouts, "handshake_timeout", "limit"),
            Reason(l.IdleClosed, "idle", "limit"), Reason(l.UnknownInfoHashes, "unknown_infohash", "limit"),
            Reason(l.PackBuildsRefused, "pack_builds_total", "limit"), Reason(l.PackBuildsRefusedPerAddress, "pack_builds_per_address", "limit"),
            Reason(l.PackBuildsTooLarge, "pack_too_large", "limit"), Reason(l.PacksRefusedByFsck, "pack_fsck", "limit"),
        ];
    }

    private static IEnumerable<Measurement<long>> Indexer(NameScannerService? scanner, Func<Indexer.Names.ChainSyncResult, long> read) =>
        scanner?.LastResult is { } result ? [new Measurement<long>(read(result))] : [];

    private static IEnumerable<Measurement<long>> Jobs(JobRunner jobs, Func<JobKindStatistics, long> read) =>
        jobs.KindStatistics.Select(k => new Measurement<long>(read(k), new KeyValuePair<string, object?>("kind", k.Kind)));

    private static Measurement<long> Reason(long value, string reason, string tag = "reason") =>
        new(value, new KeyValuePair<string, object?>(tag, reason));
}
