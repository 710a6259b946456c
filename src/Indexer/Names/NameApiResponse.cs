using System.Text.Json.Serialization;
using GitTorrent.Engine.Names;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// The JSON body of <c>/api/names/{name}</c> (INTERFACES.md):
/// <c>{"name", "owner", "status", "entries": [{"kind", "txid", "vout", "height", "blockHash", "keyHash", "valid", "reason"}]}</c>.
/// <c>kind</c> is CLAIM, PREORDER or REGISTER (docs/PROTOCOL.md section 5 names them so, and the portal has always
/// answered so); <c>keyHash</c> is null for a PREORDER; <c>reason</c> is one of <see cref="NameEntryReasons"/>.
/// The portal's <c>/api/names/{name}</c> serialises this record as it is.
/// </summary>
public sealed record NameApiResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("entries")] IReadOnlyList<NameApiEntry> Entries)
{
    public static NameApiResponse From(NameResolution resolution) => new(
        resolution.Name,
        resolution.Owner?.ToString(),
        resolution.StatusText,
        resolution.Entries.Select(e => new NameApiEntry(
            KindText(e.Entry.Kind),
            e.Entry.Txid,
            e.Entry.Position.Vout,
            e.Entry.Height,
            e.Entry.BlockHash,
            e.Entry.KeyHash?.ToString(),
            e.Valid,
            e.Reason)).ToList());

    public static string KindText(NameEntryKind kind) => kind switch
    {
        NameEntryKind.Claim => "CLAIM",
        NameEntryKind.Preorder => "PREORDER",
        _ => "REGISTER",
    };
}
