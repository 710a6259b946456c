namespace GitTorrent.Indexer.Names;

/// <summary>
/// An OP_RETURN output the indexer ignored but counts: a GitTorrent payload that breaks the format
/// (<see cref="Reason"/> = a <see cref="GitTorrent.Engine.Names.NamePayloadError"/> name) or an OP_RETURN
/// script that is not a single data push (<see cref="Reason"/> = an <see cref="OpReturnScriptError"/> name).
/// </summary>
public sealed record MalformedOutput(NamePosition Position, string Txid, string Reason);
