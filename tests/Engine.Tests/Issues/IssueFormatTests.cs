using System.Text;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Engine.Tests.Issues;

/// <summary>The files of docs/PROTOCOL.md section 6: ids, issue.md and comment files, written and read back, and hostile ones refused.</summary>
public sealed class IssueFormatTests
{
    private static readonly Hash20 Author = Hash20.Parse(string.Concat(Enumerable.Repeat("3f2a", 10)));
    private static readonly DateTimeOffset Created = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly IssueLimits Limits = new();

    [Theory]
    [InlineData("Clone hangs behind a proxy", "733ded8b84b2")]
    [InlineData("Über café", "bec13563f7e9")]
    public void The_id_is_the_first_12_hex_of_sha1_over_author_created_and_title(string title, string expected)
    {
        // Vectors computed independently: sha1("<author>\n1796378400\n<title>" as UTF-8)[:12].
        Assert.Equal(1796378400, Created.ToUnixTimeSeconds());
        Assert.Equal(expected, IssueId.Derive(Author, Created.ToUnixTimeSeconds(), title));
    }

    [Fact]
    public void An_issue_is_written_as_the_protocol_shows_and_reads_back()
    {
        var text = IssueFormat.WriteIssue("Clone hangs behind a proxy", Author, Created, IssueState.Open, ["bug", "network"], "Body text...");
        Assert.Equal($"---\ntitle: Clone hangs behind a proxy\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\nlabels: bug, network\n---\nBody text...\n", text);

        Assert.True(IssueFormat.TryParseIssue(Encoding.UTF8.GetBytes(text), Limits, out var issue, out var error), error);
        Assert.Equal("Clone hangs behind a proxy", issue!.Title);
        Assert.Equal(Author, issue.Author);
        Assert.Equal(Created, issue.Created);
        Assert.Equal(IssueState.Open, issue.State);
        Assert.Equal(["bug", "network"], issue.Labels);
        Assert.Equal("Body text...\n", issue.Body);
    }

    [Fact]
    public void Values_run_to_the_end_of_the_line_unknown_keys_are_kept_and_crlf_is_read()
    {
        var text = $"---\r\ntitle: a: b: c \r\nauthor: {Author}\r\ncreated: 2026-12-04T10:00:00Z\r\nstate: closed\r\npriority: high\r\nlabels:\r\n---\r\n---\r\nbody with a fence\r\n";
        Assert.True(IssueFormat.TryParseIssue(text, Limits, out var issue, out var error), error);
        Assert.Equal("a: b: c", issue!.Title);
        Assert.Equal(IssueState.Closed, issue.State);
        Assert.Empty(issue.Labels);
        Assert.Contains(issue.Fields, f => f is { Key: "priority", Value: "high" });
        Assert.Equal("---\r\nbody with a fence\r\n", issue.Body);
    }

    [Fact]
    public void Changing_the_state_edits_only_the_state_line()
    {
        var text = $"---\ntitle: T\nx-custom: kept\nauthor: {Author}\r\ncreated: 2026-12-04T10:00:00Z\nstate: open\r\n---\nstate: open in the body\n";
        var closed = IssueFormat.WithState(text, IssueState.Closed);
        Assert.Equal(text.Replace("state: open\r\n---", "state: closed\r\n---", StringComparison.Ordinal), closed);
        Assert.Equal(text, IssueFormat.WithState(closed, IssueState.Open));
    }

    [Fact]
    public void A_comment_is_named_by_created_seconds_and_author_and_reads_back()
    {
        Assert.Equal("1796378400-3f2a3f2a.md", IssueFormat.CommentFileName(Created, Author));
        var text = IssueFormat.WriteComment(Author, Created, "Same here.");
        Assert.Equal($"---\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\n---\nSame here.\n", text);
        Assert.True(IssueFormat.TryParseComment("1796378400-3f2a3f2a.md", Encoding.UTF8.GetBytes(text), Limits, out var comment, out var error), error);
        Assert.Equal(new IssueComment("1796378400-3f2a3f2a.md", Author, Created, "Same here.\n"), comment);
    }

    [Theory]
    [InlineData("1796378400-3f2a3f2a.md", true)]
    [InlineData("1-00000000.md", true)]
    [InlineData("1796378400-3F2A3F2A.md", false)]
    [InlineData("1796378400-3f2a3f2.md", false)]
    [InlineData("x796378400-3f2a3f2a.md", false)]
    [InlineData("1796378400-3f2a3f2a.txt", false)]
    [InlineData("-3f2a3f2a.md", false)]
    [InlineData("9999999999999999999-3f2a3f2a.md", false)]
    [InlineData("../../x-3f2a3f2a.md", false)]
    public void Comment_file_names_are_checked(string name, bool valid) => Assert.Equal(valid, IssueFormat.IsCommentFileName(name));

    public static TheoryData<string, string> HostileIssues => new()
    {
        { "no front matter", "title: x\n" },
        { "front matter is not closed", $"---\ntitle: x\nauthor: {Author}\n" },
        { "missing title", $"---\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n" },
        { "missing author", "---\ntitle: x\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n" },
        { "missing created", $"---\ntitle: x\nauthor: {Author}\nstate: open\n---\n" },
        { "missing state", $"---\ntitle: x\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\n---\n" },
        { "state is neither open nor closed", $"---\ntitle: x\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: <script>alert(1)</script>\n---\n" },
        { "author is not a 40-hex user id", "---\ntitle: x\nauthor: Mallory\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n" },
        { "created is not a date", $"---\ntitle: x\nauthor: {Author}\ncreated: yesterday\nstate: open\n---\n" },
        { "title longer than 256", $"---\ntitle: {new string('t', 257)}\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n" },
        { "more than 20 labels", $"---\ntitle: x\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\nlabels: {string.Join(',', Enumerable.Range(0, 21))}\n---\n" },
        { "appears twice", $"---\ntitle: x\ntitle: y\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n" },
        { "is not 'key: value'", $"---\ntitle: x\njust words\n---\n" },
        // Found by the issue fuzz target: read as the label "bug\r m", which WriteIssue refused to write back.
        { "front-matter line 6 holds a carriage return inside it", $"---\ntitle: x\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\nlabels: bug\r m\n---\n" },
        { "front-matter line 2 holds a carriage return inside it", $"---\ntitle: x\ry\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n" },
        { "more than 64 front-matter lines", "---\n" + string.Concat(Enumerable.Range(0, 65).Select(i => $"k{i}: v\n")) + "---\n" },
    };

    [Theory]
    [MemberData(nameof(HostileIssues))]
    public void A_hostile_issue_is_refused_with_a_reason(string reason, string text)
    {
        Assert.False(IssueFormat.TryParseIssue(Encoding.UTF8.GetBytes(text), Limits, out var issue, out var error));
        Assert.Null(issue);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_megabyte_title_binary_and_invalid_utf8_are_refused_before_parsing()
    {
        var huge = Encoding.UTF8.GetBytes($"---\ntitle: {new string('A', 1_000_000)}\nauthor: {Author}\ncreated: 2026-12-04T10:00:00Z\nstate: open\n---\n");
        Assert.False(IssueFormat.TryParseIssue(huge, Limits, out _, out var error));
        Assert.Equal("larger than 262144 bytes", error);

        Assert.False(IssueFormat.TryParseIssue([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0xff], Limits, out _, out error));
        Assert.Equal("binary (contains NUL bytes)", error);

        Assert.False(IssueFormat.TryParseIssue([0x2d, 0x2d, 0x2d, 0x0a, 0xc3, 0x28], Limits, out _, out error));
        Assert.Equal("not valid UTF-8", error);
    }

    [Fact]
    public void Writing_refuses_values_that_would_break_the_format()
    {
        Assert.Throws<ArgumentException>(() => IssueFormat.WriteIssue("two\nlines", Author, Created, IssueState.Open, [], ""));
        Assert.Throws<ArgumentException>(() => IssueFormat.WithState("no front matter", IssueState.Closed));
    }

    [Fact]
    public void Comments_order_by_created_then_file_name()
    {
        var a = new IssueComment("20-bbbbbbbb.md", Author, Created.AddSeconds(5), "");
        var b = new IssueComment("10-aaaaaaaa.md", Author, Created.AddSeconds(5), "");
        var c = new IssueComment("99-cccccccc.md", Author, Created, "");
        List<IssueComment> comments = [a, b, c];
        comments.Sort(IssueComment.Compare);
        Assert.Equal([c, b, a], comments);
    }
}
