using System.ComponentModel.DataAnnotations;
using System.Net;

namespace GitTorrent.Engine.Dht;

/// <summary>Settings of a <see cref="DhtNode"/>. Defaults suit a long-running node; tests shorten the timeouts.</summary>
public sealed class DhtOptions
{
    /// <summary>Address to bind (default any IPv4 address).</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Any;

    /// <summary>UDP port; 0 lets the system choose.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// "host:port" nodes to bootstrap from. Empty by default: the engine never contacts public routers
    /// on its own (the CLI supplies them when the user did not say otherwise).
    /// </summary>
    public IList<string> BootstrapNodes { get; set; } = [];

    /// <summary>Folder for the routing table and node id kept across restarts; null = nothing persisted.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Our address as the internet sees it, if known; the node id is then derived from it (BEP 42).</summary>
    public IPAddress? ExternalAddress { get; set; }

    /// <summary>Fixed node id (tests); normally chosen per BEP 42 or restored from the state file.</summary>
    public Hash20? NodeId { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>BEP 5 bucket size K (also the number of nodes a put or announce is sent to).</summary>
    [Range(2, 64)]
    public int BucketSize { get; set; } = 8;

    /// <summary>
    /// Queries in flight per lookup (Kademlia alpha; libtorrent's <c>search_branching</c> is 5 too). Each query set
    /// aside as slow lets one more be in flight, up to <see cref="BucketSize"/>.
    /// </summary>
    [Range(1, 16)]
    public int Alpha { get; set; } = 5;

    /// <summary>A query not answered within this time has failed.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest a lookup query may stay outstanding before it stops counting against alpha and another node is
    /// queried in its place (a dead node cannot stall a lookup; a late answer still counts). It applies until the
    /// lookup's first answer; from then on the threshold is the answers' smoothed round-trip time plus four times
    /// its variation (RFC 6298), between <see cref="MinSlowQueryAfter"/> and this.
    /// </summary>
    public TimeSpan SlowQueryAfter { get; set; } = TimeSpan.FromMilliseconds(600);

    /// <summary>
    /// The shortest slow threshold of a lookup query, however fast the answers come (loopback, a LAN). The node
    /// checks its lookups every 100 ms, so a threshold is rounded up to the next check.
    /// </summary>
    public TimeSpan MinSlowQueryAfter { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound on the duration of one lookup.</summary>
    public TimeSpan LookupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Buckets untouched this long are refreshed with a lookup (BEP 5: 15 minutes).</summary>
    public TimeSpan BucketRefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Items put through this node are put again this often (docs/PROTOCOL.md: at least hourly).</summary>
    public TimeSpan RepublishInterval { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>How often the routing table is saved to <see cref="StateDirectory"/>.</summary>
    public TimeSpan SaveInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Outgoing queries awaiting an answer; more are refused until slots free up.</summary>
    [Range(16, 65535)]
    public int MaxPendingQueries { get; set; } = 4096;

    /// <summary>Concurrent lookups; more wait in line.</summary>
    [Range(1, 4096)]
    public int MaxConcurrentLookups { get; set; } = 64;

    /// <summary>BEP 44 items stored for others (count bound).</summary>
    [Range(1, int.MaxValue)]
    public int MaxStoredItems { get; set; } = 20_000;

    /// <summary>BEP 44 items stored for others (byte bound).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxStoredBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Infohashes we keep announced peers for.</summary>
    [Range(1, int.MaxValue)]
    public int MaxInfoHashes { get; set; } = 10_000;

    /// <summary>Peers kept per infohash; a full list takes nobody new until entries expire (libtorrent's rule).</summary>
    [Range(1, 10_000)]
    public int MaxPeersPerInfoHash { get; set; } = 200;

    /// <summary>Items this node itself published and keeps re-putting.</summary>
    [Range(0, 100_000)]
    public int MaxPublishedItems { get; set; } = 1024;

    /// <summary>Datagrams per second accepted from one source address; 0 disables the limit.</summary>
    [Range(0, 1_000_000)]
    public double RateLimitPerSecond { get; set; } = 250;

    /// <summary>Burst allowed above <see cref="RateLimitPerSecond"/>.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 500;

    /// <summary>
    /// Source addresses tracked (rate limit, amplification credit, verification); beyond it the source heard
    /// from least recently is forgotten.
    /// </summary>
    [Range(16, 10_000_000)]
    public int RateLimitMaxSources { get; set; } = 50_000;

    // ---- Strangers on the open internet (issue 11), after libtorrent's DHT rules. Each limit is counted in
    // DhtStatistics when it bites. "Address" below means a source address (on loopback: address and port). ----

    /// <summary>
    /// BEP 42: a node enters the routing table only if its id is derived from its address (libtorrent
    /// <c>dht_enforce_node_id</c>). Local addresses (loopback, private, link-local) are exempt, as BEP 42 says.
    /// </summary>
    public bool EnforceNodeId { get; set; } = true;

    /// <summary>Apply <see cref="EnforceNodeId"/> to local addresses as well (tests of enforcement on loopback).</summary>
    public bool EnforceNodeIdOnLocalAddresses { get; set; }

    /// <summary>
    /// Pings in flight that check the address of a node that queried us: a query alone never adds a node to
    /// the routing table (its source may be forged); the answer to our ping does.
    /// </summary>
    [Range(0, 4096)]
    public int MaxVerificationPings { get; set; } = 64;

    /// <summary>
    /// Announced peers (infohash and port) one address may have in the peer store: a fifth of
    /// <see cref="MaxInfoHashes"/>, so one address cannot fill it, while a seeder of many commits in a small private
    /// network (where every node hears all its announces) still fits.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxAnnouncesPerAddress { get; set; } = 2000;

    /// <summary>Peers (ports) one address may have under one infohash.</summary>
    [Range(1, 10_000)]
    public int MaxPeersPerAddressPerInfoHash { get; set; } = 4;

    /// <summary>BEP 44 items one address may have put in the item store.</summary>
    [Range(1, int.MaxValue)]
    public int MaxItemsPerAddress { get; set; } = 200;

    /// <summary>
    /// Anti-amplification: bytes sent to a source that has not answered a query of ours stay within this many
    /// times the bytes of its queries, plus <see cref="UnverifiedResponseAllowance"/> (QUIC uses 3 for the same
    /// reason, RFC 9000 section 8). Over it, answers lose their values first, then nodes. 0 = no bound.
    /// </summary>
    [Range(0, 100)]
    public double UnverifiedAmplificationFactor { get; set; } = 3;

    /// <summary>
    /// Bytes an unverified source may get beyond <see cref="UnverifiedAmplificationFactor"/>, refilled over a
    /// minute: enough for one full answer to a stranger's BEP 44 get.
    /// </summary>
    [Range(0, 1 << 20)]
    public int UnverifiedResponseAllowance { get; set; } = 2048;

    /// <summary>A copy (shallow: the bootstrap list is shared) for a caller that sets its own address and state.</summary>
    public DhtOptions Clone() => (DhtOptions)MemberwiseClone();

    /// <summary>Received datagrams waiting for the node loop; beyond it new ones are dropped.</summary>
    [Range(16, 1_000_000)]
    public int ReceiveQueueLength { get; set; } = 8192;
}
