using System.Text.Json.Serialization;

namespace GitTorrent.Engine.Node;

/// <summary>
/// Counters of the node's bounds (README, "Bounds of a node"): each counts the times its limit refused or stopped
/// something since the node started, so that a monitor (stats.json, later /metrics) sees which limit bites.
/// </summary>
public sealed record NodeLimitStatistics
{
    [JsonPropertyName("inboundConnections")] public int InboundConnections { get; init; }
    [JsonPropertyName("outboundConnections")] public int OutboundConnections { get; init; }
    [JsonPropertyName("refusedInbound")] public long RefusedInbound { get; init; }
    [JsonPropertyName("refusedPerAddress")] public long RefusedPerAddress { get; init; }
    [JsonPropertyName("refusedOutbound")] public long RefusedOutbound { get; init; }
    [JsonPropertyName("handshakeTimeouts")] public long HandshakeTimeouts { get; init; }
    [JsonPropertyName("idleClosed")] public long IdleClosed { get; init; }
    [JsonPropertyName("unknownInfoHashes")] public long UnknownInfoHashes { get; init; }
    [JsonPropertyName("packBuildsStarted")] public long PackBuildsStarted { get; init; }
    [JsonPropertyName("packBuildsRunning")] public int PackBuildsRunning { get; init; }
    [JsonPropertyName("packBuildsPeak")] public int PackBuildsPeak { get; init; }
    [JsonPropertyName("packBuildsShared")] public long PackBuildsShared { get; init; }
    [JsonPropertyName("packBuildsCancelled")] public long PackBuildsCancelled { get; init; }
    [JsonPropertyName("packBuildsRefused")] public long PackBuildsRefused { get; init; }
    [JsonPropertyName("packBuildsRefusedPerAddress")] public long PackBuildsRefusedPerAddress { get; init; }
    [JsonPropertyName("requestsRefused")] public long RequestsRefused { get; init; }
    [JsonPropertyName("packBuildsTooLarge")] public long PackBuildsTooLarge { get; init; }
    [JsonPropertyName("packCacheBytes")] public long PackCacheBytes { get; init; }
    [JsonPropertyName("packsEvicted")] public long PacksEvicted { get; init; }
    [JsonPropertyName("servedCommits")] public int ServedCommits { get; init; }
    [JsonPropertyName("servedCommitsTruncated")] public long ServedCommitsTruncated { get; init; }
    [JsonPropertyName("bencodeTooManyKeys")] public long BencodeTooManyKeys { get; init; }
    [JsonPropertyName("packsRefusedByFsck")] public long PacksRefusedByFsck { get; init; }

    /// <summary>Peers banned for pieces that failed their hash, in this process.</summary>
    [JsonPropertyName("peersBanned")] public long PeersBanned { get; init; }
}
