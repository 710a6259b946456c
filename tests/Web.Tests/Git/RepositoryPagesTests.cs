using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// Branches, tags, file history, blame, archives, the tree's last-commit column, Markdown and image files, the file
/// finder and code search on <see cref="ShowcaseRepository"/>: each page shows what git itself says.
/// </summary>
public sealed class RepositoryPagesTests(SqliteBrowseFixture fixture) : IClassFixture<SqliteBrowseFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string Home = "/u/alice/showcase";
    private HttpClient Http => fixture.Portal.Http;

    private string Store => Path.Combine(fixture.Storage.DataDirectory, "repos", fixture.Data.AliceId, "showcase.git");

    [Fact]
    public async Task BranchesShowTipsAndAheadBehindAsGitCountsThem()
    {
        var page = await GetDocumentAsync($"{Home}/branches");
        var rows = page.QuerySelectorAll("table.branches tbody tr").ToList();
        var branches = Git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(branches.Length, rows.Count);
        foreach (var line in branches)
        {
            var name = line[..line.LastIndexOf(' ')];
            var sha = line[(line.LastIndexOf(' ') + 1)..];
            var row = Assert.Single(rows, r => r.QuerySelector("td.name a")!.TextContent == name);
            Assert.Contains(sha[..7], row.QuerySelector("td.subject")!.TextContent, StringComparison.Ordinal);
            Assert.Equal(Git("log", "-1", "--format=%s", sha).Trim(), row.QuerySelector("td.subject a")!.TextContent);
            if (name == "main")
            {
                Assert.Contains("default", row.TextContent, StringComparison.Ordinal);
                continue;
            }

            var counts = Git("rev-list", "--left-right", "--count", $"main...{sha}").Trim().Split('\t');
            Assert.Equal(counts[0], row.QuerySelector("td.behind")!.TextContent);
            Assert.Equal(counts[1], row.QuerySelector("td.ahead")!.TextContent);
        }

        Assert.Equal("2", rows.Single(r => r.QuerySelector("td.name a")!.TextContent == "develop").QuerySelector("td.ahead")!.TextContent);
    }

    [Fact]
    public async Task TagsShowAnnotationsAndDownloads()
    {
        var page = await GetDocumentAsync($"{Home}/tags");
        var tags = page.QuerySelectorAll("li.tag").ToList();
        var expected = Git("for-each-ref", "--format=%(refname:short)%09%(objecttype)%09%(contents:subject)%09%(taggername)", "refs/tags").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, tags.Count);
        foreach (var line in expected)
        {
            var fields = line.Split('\t');
            var tag = Assert.Single(tags, t => t.QuerySelector("h3 a")!.TextContent == fields[0]);
            if (fields[1] == "tag")
            {
                Assert.Contains(fields[2], tag.QuerySelector("pre.tag-message")!.TextContent, StringComparison.Ordinal);
                Assert.Equal(fields[3], tag.QuerySelector(".tagger")!.TextContent);
            }
            else
            {
                Assert.Null(tag.QuerySelector("pre.tag-message"));
            }

            var links = tag.QuerySelectorAll("a.download").Select(a => a.GetAttribute("href")).ToList();
            Assert.Contains($"{Home}/archive/{Uri.EscapeDataString(fields[0])}.tar.gz", links);
            Assert.Contains($"{Home}/archive/{Uri.EscapeDataString(fields[0])}.zip", links);
        }
    }

    [Fact]
    public async Task FileHistoryFollowsRenamesAsGitLogDoes()
    {
        foreach (var path in new[] { "docs/new-name.md", "src", "src/big.c" })
        {
            var page = await GetDocumentAsync($"{Home}/commits/main/{path}");
            var shown = page.QuerySelectorAll(".commit-log li a.subject").Select(a => a.GetAttribute("href")![(a.GetAttribute("href")!.LastIndexOf('/') + 1)..]).ToList();
            string[] follow = path.EndsWith(".md", StringComparison.Ordinal) || path.EndsWith(".c", StringComparison.Ordinal) ? ["--follow"] : [];
            var expected = Git(["log", .. follow, "--format=%H", "main", "--", path]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected, shown);
        }

        // The renamed file's history reaches the commit that created it under its old name.
        var renamed = await GetDocumentAsync($"{Home}/commits/main/docs/new-name.md");
        Assert.Contains(renamed.QuerySelectorAll(".commit-log a.subject"), a => a.TextContent == "first commit of the showcase");
    }

    [Fact]
    public async Task BlameLinesAreGitBlamesCommits()
    {
        var page = await GetDocumentAsync($"{Home}/blame/main/src/big.c");
        var shown = page.QuerySelectorAll("table.blame tbody tr").Select(r => r.GetAttribute("data-commit")!).ToList();
        var expected = new List<string>();
        foreach (var line in Git("blame", "--porcelain", "main", "--", "src/big.c").Split('\n'))
        {
            var sha = line.Split(' ')[0];
            if (sha.Length == 40 && sha.All(Uri.IsHexDigit))
            {
                expected.Add(sha);
            }
        }

        Assert.Equal(5000, shown.Count);
        Assert.Equal(expected, shown);
        Assert.Contains(page.QuerySelectorAll("td.blame-commit a"), a => a.TextContent == "rename the doc and change two lines");
        Assert.Equal("L5000", page.QuerySelectorAll("table.blame tbody tr").Last().Id);

        var binary = await GetDocumentAsync($"{Home}/blame/main/data.bin");
        Assert.Contains("binary file", binary.QuerySelector(".blame-refused")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main", ".tar.gz", "tar.gz")]
    [InlineData("v1.0", ".zip", "zip")]
    [InlineData("develop", ".tar.gz", "tar.gz")]
    public async Task ArchivesAreGitArchiveBytes(string refName, string extension, string format)
    {
        using var response = await Http.GetAsync(new Uri($"{Home}/archive/{refName}{extension}", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"showcase-{refName}{extension}", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var bytes = await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);
        var expected = GitBytes("archive", $"--format={format}", $"--prefix=showcase-{refName}/", refName);
        if (format == "tar.gz")
        {
            Assert.Equal(Gunzip(expected), Gunzip(bytes));
            var listed = GitBytes("archive", "--format=tar", $"--prefix=showcase-{refName}/", refName);
            Assert.Equal(listed, Gunzip(bytes));
        }
        else
        {
            Assert.Equal(expected, bytes);
            using var zip = new ZipArchive(new MemoryStream(bytes));
            var files = Git("ls-tree", "-r", "--name-only", refName).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(files.Select(f => $"showcase-{refName}/{f}").Order(StringComparer.Ordinal),
                zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task TreeShowsEachEntrysLastCommitAsGitLogDoes()
    {
        foreach (var (url, directory) in new[] { (Home, ""), ($"{Home}/tree/main/src", "src/") })
        {
            // The column streams in after the tree the first time (inside a template for blazor.web.js): wait until
            // the page comes with it filled.
            var page = await GetDocumentAsync(url);
            for (var attempt = 0; attempt < 100 && page.QuerySelector(".latest-commit a.subject") is null; attempt++)
            {
                await Task.Delay(200);
                page = await GetDocumentAsync(url);
            }

            var rows = page.QuerySelectorAll("table.tree tbody tr[class^=entry-]").ToList();
            Assert.NotEmpty(rows);
            foreach (var row in rows)
            {
                var name = row.QuerySelector("td.name a, td.name span:not(.icon)")!.TextContent.TrimEnd('/');
                var expected = Git("log", "-1", "--format=%s", "main", "--", directory + name).Trim();
                Assert.Equal(expected, row.QuerySelector("td.last-commit a")?.TextContent);
                Assert.NotNull(row.QuerySelector("td.when time[datetime][title]"));
            }

            Assert.Equal(Git("log", "-1", "--format=%s", "main", "--", directory.Length == 0 ? "." : directory).Trim(),
                page.QuerySelector(".latest-commit a.subject")!.TextContent);
        }
    }

    [Fact]
    public async Task MarkdownFilesRenderWithLinksInsideTheRepositoryAndNoOtherHostsImages()
    {
        var page = await GetDocumentAsync($"{Home}/blob/main/docs/guide.md");
        var article = page.QuerySelector("article.markdown-file")!;
        Assert.Equal("Guide", article.QuerySelector("h1")!.TextContent);
        var links = article.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"{Home}/blob/main/README.md", links);
        Assert.Contains($"{Home}/blob/main/src/big.c#L100", links);
        Assert.Equal(["/raw/alice/showcase/main/img/logo.png"], article.QuerySelectorAll("img").Select(i => i.GetAttribute("src")));
        Assert.Equal(["image: remote", "image: raw html"], article.QuerySelectorAll("a.external-image").Select(a => a.TextContent));
        Assert.DoesNotContain("<img src=\"http", article.InnerHtml, StringComparison.Ordinal);

        var source = await GetDocumentAsync($"{Home}/blob/main/docs/guide.md?plain=1");
        Assert.Null(source.QuerySelector("article.markdown-file"));
        Assert.Contains("images.example.com/tracker.png", source.QuerySelector(".blob")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImagesBinariesLongAndNonUtf8Files()
    {
        var png = await GetDocumentAsync($"{Home}/blob/main/img/logo.png");
        Assert.Equal("/raw/alice/showcase/main/img/logo.png", png.QuerySelector(".image-view img")!.GetAttribute("src"));
        var svg = await GetDocumentAsync($"{Home}/blob/main/img/evil.svg");
        Assert.Equal("/raw/alice/showcase/main/img/evil.svg", svg.QuerySelector(".image-view img")!.GetAttribute("src"));
        using (var raw = await Http.GetAsync(new Uri("/raw/alice/showcase/main/img/evil.svg", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal("image/svg+xml", raw.Content.Headers.ContentType?.MediaType);
            Assert.Contains("sandbox", raw.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("default-src 'none'", raw.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        using (var raw = await Http.GetAsync(new Uri("/raw/alice/showcase/main/img/logo.png", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal("image/png", raw.Content.Headers.ContentType?.MediaType);
            Assert.Equal(ShowcaseRepository.Png, await raw.Content.ReadAsByteArrayAsync().WaitAsync(Timeout));
        }

        var binary = await GetDocumentAsync($"{Home}/blob/main/data.bin");
        Assert.Contains("binary file", binary.QuerySelector(".notice.binary")!.TextContent, StringComparison.Ordinal);

        var big = await GetDocumentAsync($"{Home}/blob/main/src/big.c");
        Assert.NotNull(big.GetElementById("L5000"));
        Assert.Contains("5000 lines", big.QuerySelector(".file-header")!.TextContent, StringComparison.Ordinal);
        var commit = Git("rev-parse", "main").Trim();
        Assert.Equal($"{Home}/blob/{commit}/src/big.c", big.QuerySelector("a.permalink")!.GetAttribute("href"));

        var latin = await GetDocumentAsync($"{Home}/blob/main/latin1.txt");
        Assert.Contains("café au lait", latin.QuerySelector(".blob")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("ISO-8859-1", latin.QuerySelector(".file-header .encoding")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileFinderAndCodeSearch()
    {
        var finder = await GetDocumentAsync($"{Home}/find/main?q=gdmd");
        Assert.True(finder.QuerySelector(".finder-results a") is not null, finder.QuerySelector("main")?.InnerHtml);
        Assert.Equal($"{Home}/blob/main/docs/guide.md", finder.QuerySelector(".finder-results a")!.GetAttribute("href"));
        var all = await GetDocumentAsync($"{Home}/find/main");
        Assert.Equal(Git("ls-tree", "-r", "--name-only", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length,
            all.QuerySelectorAll(".finder-results a").Length);

        var search = await GetDocumentAsync($"{Home}/search/main?q={ShowcaseRepository.SearchNeedle.ToUpperInvariant()}");
        var expected = Git("grep", "-n", "-i", "--fixed-strings", ShowcaseRepository.SearchNeedle, "main").Trim().Split(':');
        var hit = Assert.Single(search.QuerySelectorAll(".search-lines a"));
        Assert.Equal($"{Home}/blob/main/{expected[1]}#L{expected[2]}", hit.GetAttribute("href"));
        Assert.Contains(ShowcaseRepository.SearchNeedle, hit.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileBranchAndTagNamesStayInert()
    {
        foreach (var path in new[] { $"{Home}/branches", $"{Home}/tags", Home, $"{Home}/tree/{Uri.EscapeDataString(ShowcaseRepository.HostileBranch)}" })
        {
            using var response = await Http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
            var html = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("<svg/onload", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<script>alert(2)", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"<[a-zA-Z][^<>]*\son[a-z]+\s*=", html);
        }

        var branches = await GetDocumentAsync($"{Home}/branches");
        Assert.Contains(branches.QuerySelectorAll("td.name a"), a => a.TextContent == ShowcaseRepository.HostileBranch);
    }

    [Fact]
    public async Task EveryPageAnswersHeadAsGet()
    {
        var pages = new[]
        {
            "/", "/search?q=alice", "/u/alice", Home, $"{Home}/tree/main/src", $"{Home}/blob/main/src/big.c", $"{Home}/commits/main",
            $"{Home}/commits/main/src/big.c", $"{Home}/commit/{Git("rev-parse", "main").Trim()}", $"{Home}/branches", $"{Home}/tags",
            $"{Home}/blame/main/README.md", $"{Home}/find/main", $"{Home}/search/main?q=int", "/swarm", "/raw/alice/showcase/main/README.md",
            $"{Home}/archive/main.tar.gz",
        };
        foreach (var page in pages)
        {
            using var get = await Http.GetAsync(new Uri(page, UriKind.Relative)).WaitAsync(Timeout);
            using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(page, UriKind.Relative))).WaitAsync(Timeout);
            Assert.True(head.StatusCode == HttpStatusCode.OK, $"HEAD {page}: {(int)head.StatusCode}");
            Assert.Equal(get.Content.Headers.ContentType?.ToString(), head.Content.Headers.ContentType?.ToString());
            Assert.Empty(await head.Content.ReadAsByteArrayAsync().WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task OpenApiDocumentsTheJsonApiOnly()
    {
        using var response = await Http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/users/{id}", "/api/names/{name}", "/api/search", "/api/swarm" })
        {
            Assert.Contains(path, paths);
        }

        Assert.All(paths, p => Assert.StartsWith("/api/", p, StringComparison.Ordinal));
        var docs = await GetDocumentAsync("/");
        Assert.Contains(docs.QuerySelectorAll("footer a"), a => a.GetAttribute("href") == "/docs/api");
        var api = await GetDocumentAsync("/docs/api");
        Assert.Contains(api.QuerySelectorAll("a"), a => a.GetAttribute("href") == "/openapi/v1.json");
    }

    private string Git(params string[] args) => TempGitRepo.Run(Store, args);

    private byte[] GitBytes(params string[] args)
    {
        var info = GitTorrent.Engine.Git.GitRunner.CreateStartInfo(Store, args);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        using var buffer = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(buffer);
        Assert.True(process.WaitForExit(60_000));
        Assert.Equal(0, process.ExitCode);
        return buffer.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private async Task<IDocument> GetDocumentAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
        var html = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}\n{html[..Math.Min(html.Length, 2000)]}");
        return new HtmlParser().ParseDocument(html);
    }
}
