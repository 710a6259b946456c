namespace GitTorrent.Indexer.Names;

/// <summary>
/// What one block holds for the name index: the GitTorrent entries in position order, the OP_RETURN
/// outputs that were ignored as malformed (counted, never fatal), and how many OP_RETURN outputs
/// carried someone else's data.
/// </summary>
public sealed record BlockNameScan(
    int Height,
    string BlockHash,
    string PreviousBlockHash,
    IReadOnlyList<NameEntry> Entries,
    IReadOnlyList<MalformedOutput> Malformed,
    int ForeignOpReturns)
{
    /// <summary>Malformed outputs counted by reason.</summary>
    public IReadOnlyDictionary<string, int> MalformedByReason =>
        Malformed.GroupBy(m => m.Reason).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
