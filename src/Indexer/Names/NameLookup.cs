using GitTorrent.Engine.Names;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Resolves a name from the index: its CLAIMs and REGISTERs, the PREORDERs their REGISTERs reveal, and
/// <see cref="NameOwnershipResolver"/> with the indexed tip and <c>confirmations</c>. Null for a name never seen
/// (the API's 404) or an invalid name.
/// </summary>
public sealed class NameLookup(INameEntryReader reader, int confirmations)
{
    public async Task<NameResolution?> ResolveAsync(string name, CancellationToken ct)
    {
        if (!NamePayload.IsValidName(name.AsSpan()))
        {
            return null;
        }
        var named = await reader.GetClaimsAndRegistersAsync(name, ct).ConfigureAwait(false);
        if (named.Count == 0)
        {
            return null;
        }
        var commitments = named.Where(e => e.Kind == NameEntryKind.Register).Select(e => e.Commitment!.Value).ToHashSet();
        var preorders = commitments.Count == 0
            ? []
            : await reader.GetPreordersAsync(commitments, ct).ConfigureAwait(false);
        var tip = await reader.GetTipAsync(ct).ConfigureAwait(false);
        return NameOwnershipResolver.Resolve(name, named.Concat(preorders), tip?.Height ?? named.Max(e => e.Height), confirmations);
    }
}
