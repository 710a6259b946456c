namespace GitTorrent.Indexer.Names;

/// <summary>The <c>status</c> of <c>/api/names/{name}</c>.</summary>
public enum NameStatus
{
    /// <summary>No final entry makes anyone the owner yet (only unconfirmed or only invalid entries).</summary>
    Pending,

    /// <summary>Owned, but a REGISTER whose PREORDER came earlier may still take it (until block h + 144).</summary>
    Settling,

    /// <summary>Owned for good: block h + 144 is final.</summary>
    Settled,
}
