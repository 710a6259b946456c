using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// What one folder of <c>.issues</c> (by name and tree id) lists as in <c>gittorrent issue list</c>: an issue's table
/// line with what orders it (creation time, then id), or the file that could not be read. A function of the folder's
/// name and tree id, so a listing of the next commit reuses it for every folder that did not change.
/// </summary>
internal sealed class ListedFolder(string name, Hash20 tree, long createdTicks, IssueState state, string? line, UnreadableIssueFile? unreadable)
{
    public string Name { get; } = name;

    public Hash20 Tree { get; } = tree;

    /// <summary>The issue's creation time in UTC ticks (0 for an unreadable folder).</summary>
    public long CreatedTicks { get; } = createdTicks;

    public IssueState State { get; } = state;

    /// <summary>The issue's table line (<see cref="IssueOutput.TableLine"/>); null for an unreadable folder.</summary>
    public string? Line { get; } = line;

    public UnreadableIssueFile? Unreadable { get; } = unreadable;

    public static ListedFolder From(GitTreeEntry folder, IssueFolderSummary summary)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Issue is { } issue
            ? new ListedFolder(folder.Name, folder.Id, issue.Created.UtcTicks, issue.State, IssueOutput.TableLine(issue), null)
            : new ListedFolder(folder.Name, folder.Id, 0, default, null, summary.Unreadable);
    }

    /// <summary>
    /// The order of a listing: issues newest first, then by id (as <see cref="IssueSummary.NewestFirst"/>), then the
    /// unreadable files by path.
    /// </summary>
    public static int ListOrder(ListedFolder? x, ListedFolder? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }
        if ((x.Line is null) != (y.Line is null))
        {
            return x.Line is null ? 1 : -1;
        }
        if (x.Line is null)
        {
            return string.CompareOrdinal(x.Unreadable?.Path, y.Unreadable?.Path);
        }
        return x.CreatedTicks != y.CreatedTicks ? y.CreatedTicks.CompareTo(x.CreatedTicks) : string.CompareOrdinal(x.Name, y.Name);
    }
}
