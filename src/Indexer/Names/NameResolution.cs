using GitTorrent.Engine;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Who owns <see cref="Name"/> as of <see cref="TipHeight"/>. <see cref="OwnerEntry"/> is the winning CLAIM
/// or REGISTER, <see cref="Priority"/> its priority, <see cref="SettlesAtHeight"/> = priority height + 144
/// (settled once that block is final). <see cref="Entries"/> lists every relevant entry in position order.
/// </summary>
public sealed record NameResolution(
    string Name,
    Hash20? Owner,
    NameStatus Status,
    NameEntry? OwnerEntry,
    NamePosition? Priority,
    int? SettlesAtHeight,
    int TipHeight,
    IReadOnlyList<ResolvedNameEntry> Entries)
{
    /// <summary>The lowercase <c>status</c> string of the API.</summary>
    public string StatusText => Status switch
    {
        NameStatus.Pending => "pending",
        NameStatus.Settling => "settling",
        _ => "settled",
    };
}
