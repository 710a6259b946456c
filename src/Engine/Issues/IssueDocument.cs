namespace GitTorrent.Engine.Issues;

/// <summary>
/// A parsed <c>.issues/&lt;id&gt;/issue.md</c>. <see cref="Fields"/> keeps every front-matter line, unknown keys
/// included, so an edit can write them back.
/// </summary>
public sealed record IssueDocument(
    string Title,
    Hash20 Author,
    DateTimeOffset Created,
    IssueState State,
    IReadOnlyList<string> Labels,
    string Body,
    IReadOnlyList<FrontMatterField> Fields);
