namespace GitTorrent.Engine.Issues;

/// <summary>
/// What one folder <c>.issues/&lt;id&gt;/</c> gave: an issue, or the file that could not be read. A function of the
/// folder's name and tree id alone, so it is cached by them (an unchanged issue keeps its tree id across commits).
/// </summary>
public sealed record IssueFolderSummary(IssueSummary? Issue, UnreadableIssueFile? Unreadable);
