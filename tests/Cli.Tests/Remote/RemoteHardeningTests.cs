using System.Net;
using System.Text;
using GitTorrent.Cli.Network;
using GitTorrent.Engine;
using GitTorrent.TestSupport;
using static GitTorrent.Cli.Tests.Remote.SwarmTestData;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// Issue 11 item 12: what strangers say reaches the terminal without control characters; a name is resolved only over
/// https (or on this machine, or when the user opted in) and only once its registration is final.
/// </summary>
public sealed class RemoteHardeningTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Counts the requests it is asked to send and answers 404.</summary>
    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }

    [Theory]
    [InlineData("http://192.0.2.10:8080/", false, false)]
    [InlineData("http://portal.example.org/", false, false)]
    [InlineData("http://192.0.2.10:8080/", true, true)]
    [InlineData("https://portal.example.org/", false, true)]
    [InlineData("http://127.0.0.1:5000/", false, true)]
    [InlineData("http://127.0.0.2:5000/", false, true)]
    [InlineData("http://[::1]:5000/", false, true)]
    [InlineData("http://localhost:5000/", false, true)]
    public async Task A_plain_http_resolver_on_another_host_is_refused_before_any_connection(string url, bool allowHttp, bool asked)
    {
        var handler = new CountingHandler();
        using var http = new HttpClient(handler);
        using var cts = new CancellationTokenSource(Timeout);
        if (asked)
        {
            Assert.Null(await new NameResolver(new Uri(url), http, allowHttp).ResolveAsync("alice", cts.Token));
            Assert.Equal(1, handler.Requests);
            return;
        }
        var refused = Assert.Throws<GitTorrentException>(() => new NameResolver(new Uri(url), http, allowHttp));
        Assert.Contains("plain http", refused.Message, StringComparison.Ordinal);
        Assert.Contains("GITTORRENT_RESOLVER_ALLOW_HTTP=1", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task A_clone_through_a_plain_http_resolver_elsewhere_fails_with_the_reason()
    {
        using var work = new TempDirectory("resolver-http");
        var run = await CloneByNameAsync(work, "http://192.0.2.10:9/");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.StandardError, l => l.StartsWith("fatal: gittorrent: the resolver http://192.0.2.10:9/ is plain http", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pending", false)]
    [InlineData("settling", true)]
    [InlineData("settled", true)]
    public async Task A_name_still_pending_is_refused_with_a_clear_message(string status, bool resolves)
    {
        using var work = new TempDirectory("resolver-status");
        var owner = Hash20.Random();
        var port = FreePorts.Tcp();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                var body = Encoding.UTF8.GetBytes($"{{\"name\":\"alice\",\"owner\":\"{owner}\",\"status\":\"{status}\",\"entries\":[]}}");
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        var run = await CloneByNameAsync(work, $"http://127.0.0.1:{port}/");
        listener.Stop();
        await serving.WaitAsync(Timeout);
        Assert.NotEqual(0, run.ExitCode); // no DHT: even a resolved name finds no profile
        var pending = $"fatal: gittorrent: the name 'alice' is pending, not registered for good yet (its owner would be {owner}";
        Assert.Equal(!resolves, run.StandardError.Any(l => l.StartsWith(pending, StringComparison.Ordinal)));
        Assert.Equal(resolves, run.StandardError.Any(l => l.Contains($"Resolved 'alice' to {owner} ({status})", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_seeders_error_text_reaches_the_terminal_without_escape_sequences()
    {
        await using var net = await PrivateNetwork.StartAsync(nodes: 2);
        var home = net.NewHome("alice");
        var user = await net.KeygenAsync(home);
        var repos = Path.Combine(net.Work.Path, "alice-repos");
        using var source = MakeRepository(Path.Combine(repos, "proj"), commits: 1, randomBytesPerCommit: 64);
        var tip = Head(source.Root);
        AssertOk(await ProcessRunner.RunAsync("dotnet", [PrivateNetwork.Gittorrent, "publish", "--repos", repos], Timeout,
            net.Environment(home)));
        await net.WaitForProfileAsync(user, json => json.Contains(tip.ToString(), StringComparison.Ordinal), "with the tip");
        // The only seeder answers with an error that clears the screen, retitles the terminal, turns red and hides text.
        const string hostile = "\u001b[2J\u001b]0;owned\u0007\u001b[31mevil\u001b[0m\rhidden\u009b1mcsi\u0000end";
        using var cts = new CancellationTokenSource(Timeout);
        await using var seeder = await RecordingSeeder.StartAsync(hostile, cts.Token);
        Assert.True(await net.Dht.AnnounceAsync(tip, seeder.Port, cts.Token) > 0);

        var run = await net.GitAsync(net.NewHome("bob"), "clone", "-v", $"gittorrent://{user}/proj", Path.Combine(net.Work.Path, "clone"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(seeder.Requests);
        var fatal = Assert.Single(run.StandardError, l => l.StartsWith("fatal: gittorrent: ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{seeder.Port}: evil hiddencsiend", fatal, StringComparison.Ordinal);
        Assert.All(run.StandardError, line => Assert.DoesNotContain(line, c => char.IsControl(c)));
    }

    private static Task<ProcessRunner> CloneByNameAsync(TempDirectory work, string resolver) =>
        ProcessRunner.RunAsync("git", ["clone", "gittorrent://alice/proj", Path.Combine(work.Path, "clone")], Timeout,
            HelperEnvironment.For(Path.Combine(work.Path, "home"), resolver: resolver));
}
