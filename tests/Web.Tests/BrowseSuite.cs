using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests;

/// <summary>Pages, raw downloads, the JSON API and smart HTTP against seeded users and real repositories.</summary>
public abstract class BrowseSuite<TFixture>(TFixture fixture)
    where TFixture : BrowsePortalFixture
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private PortalTestData Data => fixture.Data;
    private HttpClient Http => fixture.Portal.Http;

    [Fact]
    public async Task UserPageShowsIdentityNameProofAndRepositoryTips()
    {
        foreach (var owner in new[] { Data.AliceId, "alice" })
        {
            var html = await GetOkAsync($"/u/{owner}");
            Assert.Contains("Alice Example", html, StringComparison.Ordinal);
            Assert.Contains(Data.AliceId, html, StringComparison.Ordinal);
            Assert.Contains(">alice</a>", html, StringComparison.Ordinal);
            Assert.Contains("settled", html, StringComparison.Ordinal);
            Assert.Contains("claim in block 812345", html, StringComparison.Ordinal);
            Assert.Contains(new string('c', 64), html, StringComparison.Ordinal);
            Assert.Contains($"/u/{owner}/project", html, StringComparison.Ordinal);
            Assert.Contains(Data.ProjectHead[..12], html, StringComparison.Ordinal);
            Assert.Contains("feature/x", html, StringComparison.Ordinal);
        }

        // Bob's invalid claim of the same name does not make him its owner.
        var bob = await GetOkAsync($"/u/{Data.BobId}");
        Assert.DoesNotContain(">alice</a>", bob, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepositoryHomeShowsTreeReadmeCloneBoxAndProvenance()
    {
        var html = await GetOkAsync($"/u/alice/project");
        Assert.Contains("src/</a>", html, StringComparison.Ordinal);
        Assert.Contains("README.md", html, StringComparison.Ordinal);
        Assert.Contains("<h1 id=\"project\">Project</h1>", html, StringComparison.Ordinal);
        // Relative README links resolve inside the repository; one climbing out goes nowhere.
        Assert.Contains("href=\"/u/alice/project/blob/main/src/main.c\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"/raw/alice/project/main/img/logo.png\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("etc/passwd", html, StringComparison.Ordinal);
        Assert.Contains($"gittorrent://{Data.AliceId}/project", html, StringComparison.Ordinal);
        Assert.Contains("gittorrent://alice/project", html, StringComparison.Ordinal);
        Assert.Contains($"/{Data.AliceId}/project.git", html, StringComparison.Ordinal);
        Assert.Contains("at seq <span class=\"seq\">42</span>", html, StringComparison.Ordinal);
        Assert.Contains("alice registered at block 812345", html, StringComparison.Ordinal);
        Assert.Contains("matches the signed tip", html, StringComparison.Ordinal);
        // Seeders are counted by the portal's node, alone on its DHT here: nobody else announces the tip, so once the
        // first count has run (at start) the page says 0, not "unknown".
        var seeders = new System.Text.RegularExpressions.Regex("<dd class=\"seeders\">\\s*<span>(unknown|[0-9]+ in the DHT)</span>");
        var deadline = DateTime.UtcNow + Timeout;
        while (seeders.Match(html).Groups[1].Value is "unknown" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            html = await GetOkAsync($"/u/alice/project");
        }

        Assert.Equal("0 in the DHT", seeders.Match(html).Groups[1].Value);
        Assert.Contains("v1.0", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TreeBlobCommitsAndCommitDiff()
    {
        var tree = await GetOkAsync("/u/alice/project/tree/main/src");
        Assert.Contains("main.c", tree, StringComparison.Ordinal);
        Assert.DoesNotContain("feature.c", tree, StringComparison.Ordinal);
        var branch = await GetOkAsync("/u/alice/project/tree/feature/x/src");
        Assert.Contains("feature.c", branch, StringComparison.Ordinal);
        var tag = await GetOkAsync("/u/alice/project/tree/v1.0");
        Assert.Contains("src/</a>", tag, StringComparison.Ordinal);

        var blob = await GetOkAsync("/u/alice/project/blob/main/src/main.c");
        Assert.Contains("<tr id=L3><td><a href=#L3>3</a>", blob, StringComparison.Ordinal);
        Assert.Contains("<span class=k>int</span>", blob, StringComparison.Ordinal);
        Assert.Contains("&quot;hello gittorrent&quot;", blob, StringComparison.Ordinal);
        Assert.Contains("<span class=k>#include</span> <span class=s>&lt;stdio.h&gt;</span>", blob, StringComparison.Ordinal);

        var page1 = await GetOkAsync("/u/alice/project/commits/main");
        Assert.Contains("log entry 59", page1, StringComparison.Ordinal);
        Assert.DoesNotContain("log entry 5<", page1, StringComparison.Ordinal);
        Assert.Contains("commits/main?page=2", page1, StringComparison.Ordinal);
        var page2 = await GetOkAsync("/u/alice/project/commits/main?page=2");
        Assert.Contains("log entry 5<", page2, StringComparison.Ordinal);
        Assert.Contains("commit 1", page2, StringComparison.Ordinal);

        var diffHtml = await GetOkAsync($"/u/alice/project/commit/{Data.ProjectFirstCommit}");
        Assert.Contains("README.md", diffHtml, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"add\">", diffHtml, StringComparison.Ordinal);
        Assert.Contains("# Project", diffHtml, StringComparison.Ordinal);
        Assert.Contains("commit 2", page2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileContentIsInert()
    {
        var pages = new[]
        {
            "/", $"/u/{Data.BobId}", "/search?q=script", $"/u/alice/hostile", $"/u/alice/hostile/commits/main",
            $"/u/alice/hostile/commit/{Data.HostileHead}",
            $"/u/alice/hostile/blob/main/{Uri.EscapeDataString(PortalTestData.HostileFile)}",
        };
        foreach (var page in pages)
        {
            var html = await GetOkAsync(page);
            Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x onerror", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"<[a-zA-Z][^<>]*\son[a-z]+\s*=", html);
            Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        }

        var readme = await GetOkAsync("/u/alice/hostile");
        Assert.Contains("click me", readme, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;.txt", readme, StringComparison.Ordinal);
        var bob = await GetOkAsync($"/u/{Data.BobId}");
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", bob, StringComparison.Ordinal);

        // Big and binary files are not rendered; their raw bytes never come back as HTML.
        var big = await GetOkAsync("/u/alice/hostile/blob/main/big.txt");
        Assert.Contains("too large to show", big, StringComparison.Ordinal);
        Assert.True(big.Length < 200_000, $"the page for a 50 MB file is {big.Length} chars");
        var binary = await GetOkAsync("/u/alice/hostile/blob/main/binary.bin");
        Assert.Contains("binary file", binary, StringComparison.Ordinal);

        using var rawText = await Http.GetAsync(new Uri($"/raw/alice/hostile/main/{Uri.EscapeDataString(PortalTestData.HostileFile)}", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, rawText.StatusCode);
        Assert.Equal("text/plain", rawText.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", rawText.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(PortalTestData.HostileText + "\n", await rawText.Content.ReadAsStringAsync().WaitAsync(Timeout));
        // Text: UTF-8, shown inline, in a sandbox without scripts or any other source (the file is the attacker's).
        Assert.Equal("utf-8", rawText.Content.Headers.ContentType?.CharSet);
        Assert.Equal("inline", rawText.Content.Headers.ContentDisposition?.DispositionType);
        AssertSandboxed(rawText);
        using var rawBinary = await Http.GetAsync(new Uri("/raw/alice/hostile/main/binary.bin", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal("application/octet-stream", rawBinary.Content.Headers.ContentType?.MediaType);
        // Binary: a download under its own name, never rendered.
        Assert.Equal("attachment", rawBinary.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("binary.bin", rawBinary.Content.Headers.ContentDisposition?.FileNameStar);
        AssertSandboxed(rawBinary);
        using var rawBig = await Http.GetAsync(new Uri("/raw/alice/hostile/main/big.txt", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal("application/octet-stream", rawBig.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PortalTestData.BigFileBytes, rawBig.Content.Headers.ContentLength);
        Assert.Equal("attachment", rawBig.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("big.txt", rawBig.Content.Headers.ContentDisposition?.FileNameStar);
        AssertSandboxed(rawBig);

        static void AssertSandboxed(HttpResponseMessage response)
        {
            var policy = response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries);
            Assert.Contains("sandbox", policy);
            Assert.Contains("default-src 'none'", policy);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    [Theory]
    [InlineData("/u/alice/project/blob/main/../../etc/passwd")]
    [InlineData("/u/alice/project/blob/main/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/u/alice/project/blob/main/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/u/alice/project/tree/main/..%5C..%5Cetc")]
    [InlineData("/raw/alice/project/main/../../../../etc/passwd")]
    [InlineData("/raw/alice/project/main/..%2F..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/u/alice/project/blob/main/src")]
    [InlineData("/u/alice/project/tree/main/src/main.c")]
    [InlineData("/u/alice/project/blob/nope/README.md")]
    [InlineData("/u/alice/project/commit/0000000000000000000000000000000000000000")]
    [InlineData("/u/alice/project/nonsense")]
    [InlineData("/u/alice/nope")]
    [InlineData("/u/nobody-at-all")]
    [InlineData("/u/0000000000000000000000000000000000000000")]
    [InlineData("/alice/nope.git/info/refs?service=git-upload-pack")]
    [InlineData("/api/users/0000000000000000000000000000000000000000")]
    [InlineData("/api/names/never-seen")]
    public async Task UnknownOrEscapingPathsAre404(string path)
    {
        var (status, body) = await RawGetAsync(path);
        Assert.True(status == 404, $"{path} answered {status}");
        Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepositoryNotArrivedShowsProgressNotAnError()
    {
        var html = await GetOkAsync($"/u/{Data.BobId}/pending-repo");
        Assert.Contains("has not arrived in the portal", html, StringComparison.Ordinal);
        Assert.Contains("Fetch progress", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonApi()
    {
        using var user = JsonDocument.Parse(await GetOkAsync($"/api/users/{Data.AliceId}"));
        Assert.Equal(Data.AliceId, user.RootElement.GetProperty("id").GetString());
        Assert.Equal(64, user.RootElement.GetProperty("publicKey").GetString()!.Length);
        Assert.Equal(42, user.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal("Alice Example", user.RootElement.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal(["alice"], user.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()));

        using var name = JsonDocument.Parse(await GetOkAsync("/api/names/alice"));
        Assert.Equal(Data.AliceId, name.RootElement.GetProperty("owner").GetString());
        Assert.Equal("settled", name.RootElement.GetProperty("status").GetString());
        var entries = name.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("CLAIM", entries[0].GetProperty("kind").GetString());
        Assert.Equal(812345, entries[0].GetProperty("height").GetInt32());
        Assert.True(entries[0].GetProperty("valid").GetBoolean());
        Assert.False(entries[1].GetProperty("valid").GetBoolean());
        Assert.Equal("outbid by earlier priority", entries[1].GetProperty("reason").GetString());
        foreach (var key in new[] { "txid", "vout", "blockHash", "keyHash" })
        {
            Assert.True(entries[0].TryGetProperty(key, out _), key);
        }

        using var search = JsonDocument.Parse(await GetOkAsync("/api/search?q=alice"));
        Assert.Contains("alice", search.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(Data.AliceId, search.RootElement.GetProperty("users").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        using var swarm = JsonDocument.Parse(await GetOkAsync("/api/swarm"));
        foreach (var key in new[] { "uploaded", "downloaded", "originBytesSaved" })
        {
            Assert.True(swarm.RootElement.GetProperty(key).GetInt64() >= 0, key);
        }

        Assert.Equal(JsonValueKind.Array, swarm.RootElement.GetProperty("packs").ValueKind);

        Assert.Equal(0, swarm.RootElement.GetProperty("peers").GetInt32()); // alone on loopback: no peer connected

        var swarmPage = await GetOkAsync("/swarm");
        Assert.Contains("Peers connected", swarmPage, StringComparison.Ordinal);
        Assert.Contains("<svg", swarmPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task SmartHttpCloneIsCompleteAndPushIsRefused(string protocolVersion)
    {
        using var work = new TempDirectory("clone");
        foreach (var owner in new[] { Data.AliceId, "alice" })
        {
            var target = Path.Combine(work.Path, owner);
            var url = new Uri(Http.BaseAddress!, $"/{owner}/project.git").ToString();
            await Task.Run(() => TempGitRepo.Run(work.Path, "-c", $"protocol.version={protocolVersion}", "clone", "-q", url, target)).WaitAsync(Timeout);
            Assert.Equal(Data.ProjectHead, TempGitRepo.Run(target, "rev-parse", "HEAD").Trim());
            await Task.Run(() => TempGitRepo.Run(target, "fsck", "--full", "--strict")).WaitAsync(Timeout);
            Assert.Contains("feature/x", TempGitRepo.Run(target, "branch", "-r"), StringComparison.Ordinal);
            Assert.Contains("v1.0", TempGitRepo.Run(target, "tag"), StringComparison.Ordinal);

            // Fetch after clone (negotiation with haves) works too.
            await Task.Run(() => TempGitRepo.Run(target, "-c", $"protocol.version={protocolVersion}", "fetch", "-q", "origin")).WaitAsync(Timeout);

            TempGitRepo.Run(target, "-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-q", "--allow-empty", "-m", "push me");
            var push = await Task.Run(() => Assert.Throws<InvalidOperationException>(() => TempGitRepo.Run(target, "push", "origin", "HEAD:main"))).WaitAsync(Timeout);
            Assert.Contains("read-only", push.Message, StringComparison.Ordinal);
            Assert.Contains("403", push.Message, StringComparison.Ordinal);
        }

        // The portal's copy did not move.
        Assert.Equal(Data.ProjectHead, TempGitRepo.Run(Path.Combine(fixture.Storage.DataDirectory, "repos", Data.AliceId, "project.git"), "rev-parse", "main").Trim());

        using var receive = await Http.GetAsync(new Uri($"/{Data.AliceId}/project.git/info/refs?service=git-receive-pack", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Forbidden, receive.StatusCode);
        using var post = await Http.PostAsync(new Uri($"/{Data.AliceId}/project.git/git-receive-pack", UriKind.Relative), new ByteArrayContent([0x30, 0x30, 0x30, 0x30])).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
    }

    [Fact]
    public async Task UploadPackAcceptsGzipRequestBodies()
    {
        var request = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(request, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            var want = $"want {Data.ProjectHead} ofs-delta\n";
            await gzip.WriteAsync(Encoding.ASCII.GetBytes($"{want.Length + 4:x4}{want}00000009done\n"));
        }

        using var content = new ByteArrayContent(request.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-git-upload-pack-request");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await Http.PostAsync(new Uri($"/{Data.AliceId}/project.git/git-upload-pack", UriKind.Relative), content).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-git-upload-pack-result", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);
        Assert.StartsWith("0008NAK\n", Encoding.ASCII.GetString(body, 0, 8), StringComparison.Ordinal);
        Assert.Contains("PACK", Encoding.Latin1.GetString(body), StringComparison.Ordinal);
    }

    private Task<string> GetOkAsync(string path) => fixture.Portal.GetOkAsync(path, Timeout);

    /// <summary>Sends the path exactly as written (HttpClient would remove dot segments first).</summary>
    private async Task<(int Status, string Body)> RawGetAsync(string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Http.BaseAddress!.Port).WaitAsync(Timeout);
        await using var stream = client.GetStream();
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request).AsTask().WaitAsync(Timeout);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(Timeout);
        var status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text);
    }
}

/// <summary>Browsing on SQLite.</summary>
public sealed class SqliteBrowseTests(SqliteBrowseFixture fixture) : BrowseSuite<SqliteBrowseFixture>(fixture), IClassFixture<SqliteBrowseFixture>;

/// <summary>Browsing on PostgreSQL.</summary>
public sealed class PostgresBrowseTests(PostgresBrowseFixture fixture) : BrowseSuite<PostgresBrowseFixture>(fixture), IClassFixture<PostgresBrowseFixture>;
