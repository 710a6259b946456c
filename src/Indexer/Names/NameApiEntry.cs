using System.Text.Json.Serialization;

namespace GitTorrent.Indexer.Names;

/// <summary>One entry of <see cref="NameApiResponse"/>.</summary>
public sealed record NameApiEntry(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("txid")] string Txid,
    [property: JsonPropertyName("vout")] int Vout,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("blockHash")] string BlockHash,
    [property: JsonPropertyName("keyHash")] string? KeyHash,
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("reason")] string Reason);
