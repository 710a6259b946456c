namespace GitTorrent.Web.Services;

/// <summary>One OP_RETURN entry of a name, as <c>/api/names/{name}</c> shows it.</summary>
public sealed record NameEntryView(string Kind, string Txid, int Vout, int? Height, string? BlockHash, string? KeyHash, bool Valid, string? Reason, string Status);
