using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// An <c>issue.md</c> or comment file from a repository (PROTOCOL.md section 6): <see cref="IssueFormat.TryParseIssue(ReadOnlySpan{byte}, IssueLimits, out IssueDocument?, out string)"/>
/// and <see cref="IssueFormat.TryParseComment"/> under the default <see cref="IssueLimits"/>. Bad input is a false
/// TryParse with an error text. A parsed issue written back by <see cref="IssueFormat.WriteIssue"/> must parse to the
/// same title, author, creation second, state and labels.
/// </summary>
public static class IssueTarget
{
    private static readonly IssueLimits Limits = new();

    public static void Run(byte[] input)
    {
        IssueFormat.TryParseComment("1733306400-0123abcd.md", input, Limits, out _, out _);
        if (!IssueFormat.TryParseIssue(input, Limits, out var issue, out var error))
        {
            FuzzInvariantException.Check(!string.IsNullOrEmpty(error), "an issue file was refused without an error text");
            return;
        }
        var written = IssueFormat.WriteIssue(issue!.Title, issue.Author, issue.Created, issue.State, issue.Labels, issue.Body);
        FuzzInvariantException.Check(IssueFormat.TryParseIssue(written, Limits, out var again, out var againError),
            $"a written issue does not parse: {againError}");
        FuzzInvariantException.Check(again!.Title == issue.Title && again.Author == issue.Author
            && IssueFormat.FormatCreated(again.Created) == IssueFormat.FormatCreated(issue.Created)
            && again.State == issue.State && again.Labels.SequenceEqual(issue.Labels), "a written issue parses to another issue");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var author = Hash20.Sha1("alice"u8);
        var created = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
        yield return Encoding.UTF8.GetBytes(IssueFormat.WriteIssue("Clone hangs on a departed seeder", author, created, IssueState.Open,
            ["bug", "swarm"], "Steps:\n\n1. clone\n2. wait\n"));
        yield return Encoding.UTF8.GetBytes(IssueFormat.WriteIssue("Closed one", author, created, IssueState.Closed, [], ""));
        yield return Encoding.UTF8.GetBytes(IssueFormat.WriteComment(author, created, "I see it too.\n"));
    }
}
