using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// Builds the listing of a commit's <c>.issues</c> tree from the previous listing: a folder with the same name and
/// tree id lists as before (its table line is reused, nothing is read or formatted), the others are summarized by
/// <see cref="IssueReader"/>. A few changed folders are read directly; many (another branch, a first listing) go
/// through the summary cache (<see cref="IssueSummaryFile"/>), which remembers folders of other trees.
/// </summary>
internal static class IssueListingBuilder
{
    /// <summary>Changed folders read without opening the summary cache (loading it costs more than reading these).</summary>
    public const int DirectReadLimit = 64;

    public static async Task<IssueListingFile.Saved> BuildAsync(IssueReader reader, Hash20 commit, Hash20? issuesTree,
        IReadOnlyList<GitTreeEntry> entries, IssueListingFile.Saved? previous, Func<IssueSummaryFile> openCache, int maxIssues,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(openCache);
        var known = new Dictionary<string, ListedFolder>(previous?.Folders.Count ?? 0, StringComparer.Ordinal);
        foreach (var folder in previous?.Folders ?? [])
        {
            known[folder.Name] = folder;
        }
        var rows = new List<ListedFolder>(Math.Min(entries.Count, maxIssues));
        var changed = new List<GitTreeEntry>();
        var folders = 0;
        foreach (var entry in entries)
        {
            if (entry.Kind != GitTreeEntryKind.Tree || ++folders > maxIssues)
            {
                continue;
            }
            if (known.TryGetValue(entry.Name, out var listed) && listed.Tree == entry.Id)
            {
                rows.Add(listed);
            }
            else
            {
                changed.Add(entry);
            }
        }
        if (changed.Count > 0)
        {
            var cache = changed.Count > DirectReadLimit ? openCache() : null;
            var summaries = await reader.SummarizeFoldersAsync(changed, cache, cancellationToken).ConfigureAwait(false);
            cache?.Save();
            for (var i = 0; i < changed.Count; i++)
            {
                rows.Add(ListedFolder.From(changed[i], summaries[i]));
            }
        }
        rows.Sort(ListedFolder.ListOrder);
        return new IssueListingFile.Saved(commit, issuesTree ?? default, rows, folders > maxIssues);
    }
}
