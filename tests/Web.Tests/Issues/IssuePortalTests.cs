using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitTorrent.Web.Tests.Issues;

/// <summary>
/// The portal's issue, fork and compare pages and <c>/api/repos</c> against the real portal process (issue acceptance:
/// pages for issues stored in repositories, proposed issues from branches and forks, hostile files inert and listed).
/// </summary>
public sealed partial class IssuePortalTests(IssuePortalFixture fixture) : IClassFixture<IssuePortalFixture>
{
    private IssuePortalData Data => fixture.Data;

    private string Home => $"/u/{Data.AliceId}/tracker";

    [Fact]
    public async Task The_issue_list_counts_pages_filters_and_searches()
    {
        var (status, html) = await fixture.GetAsync($"{Home}/issues");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{IssuePortalData.OpenIssues}", Count(html, "open-count"));
        Assert.Equal("1", Count(html, "closed-count"));
        // Newest first, 50 a page: the last fillers on page 1, the oldest open issue (the proxy one) on page 3.
        var list = IssueList(html);
        Assert.Contains("Filler issue 119", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Clone hangs behind a proxy</a>", list, StringComparison.Ordinal);
        Assert.Equal(50, Regex.Matches(html, "<li class=\"issue\"").Count);
        Assert.Contains("page 1 of 3", html, StringComparison.Ordinal);
        Assert.Contains("state=open&amp;page=2", html, StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync($"{Home}/issues?state=open&page=3");
        Assert.Contains("Clone hangs behind a proxy</a>", IssueList(html), StringComparison.Ordinal);
        Assert.Contains(">bug</span>", html, StringComparison.Ordinal);
        Assert.Contains(">alice</a>", html, StringComparison.Ordinal); // the registered name of the author
        Assert.Contains("2 comments", html, StringComparison.Ordinal);
        Assert.Contains($"<symbol id=\"identicon-{Data.AliceId}\"", html, StringComparison.Ordinal);
        Assert.Contains($"<use href=\"#identicon-{Data.AliceId}\"", html, StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync($"{Home}/issues?state=closed");
        Assert.Contains("An issue that was closed</a>", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<li class=\"issue\""));

        (_, html) = await fixture.GetAsync($"{Home}/issues?state=all&q=PROXY");
        Assert.Single(Regex.Matches(html, "<li class=\"issue\""));
        Assert.Contains("Clone hangs behind a proxy</a>", IssueList(html), StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync($"{Home}/issues?state=all&q={new string('x', 5000)}");
        Assert.Contains("No issue title matches.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_issue_files_are_listed_as_unreadable_with_their_paths_and_never_rendered_live()
    {
        var (status, html) = await fixture.GetAsync($"{Home}/issues?state=all&page=3");
        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var (path, reason) in IssuePortalData.HostileFiles)
        {
            Assert.Contains($"<code class=\"path\">{path}</code>: <span class=\"reason\">{reason}</span>", html, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("TTTTTTTTTT", html, StringComparison.Ordinal);
        // The readable issue with a markup title and label is listed, as text.
        Assert.Contains($"issues/{Data.HostileTitleIssue}\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>window", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg onload", html, StringComparison.Ordinal);

        (status, html) = await fixture.GetAsync($"{Home}/issues/{Data.ProxyIssue}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<strong>bold text</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>window", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<iframe", html, StringComparison.Ordinal);
        Assert.DoesNotContain("onerror", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_issue_page_shows_body_comments_in_order_state_and_history()
    {
        var (status, html) = await fixture.GetAsync($"{Home}/issues/{Data.ProxyIssue}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Clone hangs behind a proxy", html, StringComparison.Ordinal);
        Assert.Contains("state-open", html, StringComparison.Ordinal);
        var bob = html.IndexOf("<strong>behind squid</strong>", StringComparison.Ordinal);
        var stranger = html.IndexOf("A stranger's comment.", StringComparison.Ordinal);
        Assert.True(bob > 0 && stranger > bob, "comments are shown in created order");
        Assert.Contains(">Bob Forker</a><span class=\"unverified\"", html, StringComparison.Ordinal);
        Assert.Contains($">{Data.StrangerId[..12]}</a>", html, StringComparison.Ordinal);
        // History: every commit of main that changed the issue's folder, newest first.
        Assert.Equal(3, Data.ProxyHistory.Count);
        var positions = Data.ProxyHistory.Select(c => html.IndexOf($"/commit/{c}\"", StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.Order(), positions);

        (status, _) = await fixture.GetAsync($"{Home}/issues/0123456789ab");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await fixture.GetAsync($"{Home}/issues/..%2F..%2Fetc");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await fixture.GetAsync($"/u/{Data.AliceId}/nothing-here/issues");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Issues_only_on_a_branch_or_in_a_fork_are_proposed_with_their_source()
    {
        var (_, html) = await fixture.GetAsync($"{Home}/issues");
        var proposed = html[html.IndexOf("<section class=\"proposed\"", StringComparison.Ordinal)..];
        Assert.Contains($"issues/{Data.BranchIssue}\"", proposed, StringComparison.Ordinal);
        Assert.Contains("Proposed on a branch</a>", proposed, StringComparison.Ordinal);
        Assert.Contains("new issue", proposed, StringComparison.Ordinal);
        Assert.Contains("branch triage", proposed, StringComparison.Ordinal);
        Assert.Contains("reopens it", proposed, StringComparison.Ordinal);
        Assert.DoesNotContain("branch stale", proposed, StringComparison.Ordinal);
        Assert.Contains("Bob Forker/tracker main", proposed, StringComparison.Ordinal);
        Assert.Contains($"compare/main...{Data.BobId}:main", proposed, StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync($"{Home}/issues/{Data.ProxyIssue}");
        Assert.Contains("Proposed from Bob Forker/tracker main", html, StringComparison.Ordinal);
        Assert.Contains("Comment from Bob's fork.", html, StringComparison.Ordinal);
        Assert.Contains("Proposed from branch triage", html, StringComparison.Ordinal);
        Assert.Contains("Comment from the triage branch.", html, StringComparison.Ordinal);
        Assert.Contains($"git fetch gittorrent://{Data.BobId}/tracker main", html, StringComparison.Ordinal);

        // An issue that exists only on the branch has its own page, marked as proposed.
        var (status, page) = await fixture.GetAsync($"{Home}/issues/{Data.BranchIssue}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Proposed: this issue is not on main; it comes from branch triage.", page, StringComparison.Ordinal);
        Assert.Contains("from triage", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forks_are_listed_and_compare_shows_commits_diff_mergeability_and_the_fetch_command()
    {
        var (status, html) = await fixture.GetAsync($"{Home}/forks");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"href=\"/u/{Data.BobId}/tracker\"", html, StringComparison.Ordinal);
        Assert.Contains("is 2 commits ahead of main", html, StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync(Home);
        Assert.Contains("Proposed changes", html, StringComparison.Ordinal);
        Assert.Contains($"compare/main...{Data.BobId}:main\">Bob Forker/tracker:main</a>", html, StringComparison.Ordinal);
        Assert.Contains($"compare/main...{Data.BobId}:conflict\">Bob Forker/tracker:conflict</a>", html, StringComparison.Ordinal);

        (status, html) = await fixture.GetAsync($"{Home}/compare/main...{Data.BobId}:main");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Merges cleanly into main.", html, StringComparison.Ordinal);
        Assert.Contains("2 commits", html, StringComparison.Ordinal);
        Assert.Contains($"issue {Data.ProxyIssue}: comment", html, StringComparison.Ordinal);
        Assert.Contains("feature.txt", html, StringComparison.Ordinal);
        Assert.Contains("fork feature", html, StringComparison.Ordinal);
        Assert.Contains($"value=\"git fetch gittorrent://{Data.BobId}/tracker main\"", html, StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync($"{Home}/compare/main...{Data.BobId}:conflict");
        Assert.Contains("Does not merge cleanly: conflicts in 1 file.", html, StringComparison.Ordinal);
        Assert.Contains("<li><code>README.md</code></li>", html, StringComparison.Ordinal);

        (_, html) = await fixture.GetAsync($"{Home}/compare/main...triage");
        Assert.Contains("Merges cleanly into main.", html, StringComparison.Ordinal);
        Assert.Contains("Proposed on a branch", html, StringComparison.Ordinal);

        (status, _) = await fixture.GetAsync($"{Home}/compare/main...{Data.BobId}:no-such-branch");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await fixture.GetAsync($"{Home}/compare/nonsense");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Api_repos_reports_refs_provenance_forks_and_issue_counts()
    {
        using var response = await fixture.Portal.Http.GetAsync(new Uri($"/api/repos/alice/tracker", UriKind.Relative)).WaitAsync(IssuePortalFixture.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(Data.AliceId, root.GetProperty("owner").GetString());
        Assert.Equal("tracker", root.GetProperty("name").GetString());
        Assert.Equal("main", root.GetProperty("defaultBranch").GetString());
        Assert.Equal(["refs/heads/main", "refs/heads/stale", "refs/heads/triage"], root.GetProperty("refs").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(42, root.GetProperty("provenance").GetProperty("signedSeq").GetInt64());
        Assert.True(root.GetProperty("provenance").GetProperty("storeMatchesProfile").GetBoolean());
        var fork = Assert.Single(root.GetProperty("forks").EnumerateArray());
        Assert.Equal(Data.BobId, fork.GetProperty("owner").GetString());
        Assert.Equal("tracker", fork.GetProperty("name").GetString());
        Assert.Equal(IssuePortalData.OpenIssues, root.GetProperty("issues").GetProperty("open").GetInt32());
        Assert.Equal(1, root.GetProperty("issues").GetProperty("closed").GetInt32());
        // The shape INTERFACES.md names (the figures themselves are OffloadTests' subject).
        var served = root.GetProperty("bytesServed");
        Assert.True(served.GetProperty("swarm").GetInt64() >= 0 && served.GetProperty("http").GetInt64() >= 0, served.ToString());

        using var missing = await fixture.Portal.Http.GetAsync(new Uri($"/api/repos/alice/nope", UriKind.Relative)).WaitAsync(IssuePortalFixture.Timeout);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static string IssueList(string html)
    {
        var start = html.IndexOf("<ul class=\"issue-list\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no issue list on the page");
        return html[start..html.IndexOf("</ul>", start, StringComparison.Ordinal)];
    }

    private static string Count(string html, string css) =>
        Regex.Match(html, $"<span class=\"count {css}\"[^>]*>(\\d+)</span>").Groups[1].Value;
}
