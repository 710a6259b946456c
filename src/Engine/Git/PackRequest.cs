namespace GitTorrent.Engine.Git;

/// <summary>
/// A pack request as one repository sees it (<see cref="PackBuilder.ResolveAsync"/>): the wanted commit, the other wanted
/// commits it has and the haves it knows, each sorted and distinct. Equal requests build equal packs.
/// </summary>
public sealed record PackRequest(Hash20 Want, IReadOnlyList<Hash20> MoreWants, IReadOnlyList<Hash20> Haves)
{
    /// <summary>The cache key: SHA-1 over the wanted commit, the more wants (<c>+</c>) and the haves (<c>^</c>).</summary>
    public Hash20 Key => PackCache.RequestKey(Want, Haves, MoreWants);
}
