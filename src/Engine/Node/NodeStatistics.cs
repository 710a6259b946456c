using System.Text.Json.Serialization;

namespace GitTorrent.Engine.Node;

/// <summary>The shape of <c>$GITTORRENT_HOME/stats.json</c> and <c>/api/swarm</c> (INTERFACES.md); bytes of piece payload.</summary>
public sealed record NodeStatistics(
    [property: JsonPropertyName("uploaded")] long Uploaded,
    [property: JsonPropertyName("downloaded")] long Downloaded,
    [property: JsonPropertyName("peers")] int Peers,
    [property: JsonPropertyName("packs")] IReadOnlyList<PackStatistics> Packs)
{
    /// <summary>The node's bounds that bit, and what they hold now (ours, beside the fields of INTERFACES.md).</summary>
    [JsonPropertyName("limits")]
    public NodeLimitStatistics? Limits { get; init; }
}

public sealed record PackStatistics(
    [property: JsonPropertyName("infoHash")] string InfoHash,
    [property: JsonPropertyName("commit")] string Commit,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("uploaded")] long Uploaded);
