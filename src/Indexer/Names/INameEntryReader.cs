using GitTorrent.Engine;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Read side of the name index (the database layer implements it beside <see cref="INameStore"/>):
/// what <see cref="NameLookup"/> needs to resolve one name.
/// </summary>
public interface INameEntryReader
{
    /// <summary>The highest indexed block (the tip confirmations are counted from), or null when empty.</summary>
    Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct);

    /// <summary>Every indexed CLAIM and REGISTER of <paramref name="name"/>.</summary>
    Task<IReadOnlyList<NameEntry>> GetClaimsAndRegistersAsync(string name, CancellationToken ct);

    /// <summary>Every indexed PREORDER whose C is one of <paramref name="commitments"/>.</summary>
    Task<IReadOnlyList<NameEntry>> GetPreordersAsync(IReadOnlyCollection<Hash20> commitments, CancellationToken ct);
}
