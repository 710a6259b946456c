using GitTorrent.Engine;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Web.Issues;

/// <summary>
/// The indexed issues of one <c>.issues</c> tree: newest first, split by state, with each issue's folder tree id (for
/// finding changes between two trees) and the unreadable files. Immutable: cached by the tree id.
/// </summary>
public sealed class IssueSnapshot
{
    public IssueSnapshot(IssueListing listing, IReadOnlyDictionary<string, Hash20> folders)
    {
        ArgumentNullException.ThrowIfNull(listing);
        All = listing.Issues;
        Open = [.. listing.Issues.Where(i => i.State == IssueState.Open)];
        Closed = [.. listing.Issues.Where(i => i.State == IssueState.Closed)];
        Unreadable = listing.Unreadable;
        Truncated = listing.Truncated;
        Folders = folders;
        ById = listing.Issues.ToDictionary(i => i.Id, StringComparer.Ordinal);
    }

    public static IssueSnapshot Empty { get; } = new(IssueListing.Empty, new Dictionary<string, Hash20>());

    public IReadOnlyList<IssueSummary> All { get; }

    public IReadOnlyList<IssueSummary> Open { get; }

    public IReadOnlyList<IssueSummary> Closed { get; }

    public IReadOnlyList<UnreadableIssueFile> Unreadable { get; }

    public bool Truncated { get; }

    /// <summary>Every issue folder read (readable or not), by id: its tree id.</summary>
    public IReadOnlyDictionary<string, Hash20> Folders { get; }

    public IReadOnlyDictionary<string, IssueSummary> ById { get; }
}
