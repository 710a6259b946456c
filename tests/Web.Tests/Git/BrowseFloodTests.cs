using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GitTorrent.Engine.Git;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// Attackers on 127.0.0.2 and up flood the expensive browsing routes of the real portal (blame of a file with 8,000
/// revisions at many commits, history, code search for a pattern that matches everything, the file finder), each
/// request a different commit: the git processes running at once never exceed <c>Browse:MaxGitCommands</c>, one address
/// gets 429 past <c>MaxGitCommandsPerClient</c>, the waiting line is cut at <c>MaxGitCommandQueue</c> (503), output caps
/// and timeouts stop git with a message on the page, each bound is logged, and the honest client on 127.0.0.1 still
/// gets correct pages.
/// </summary>
public sealed class BrowseFloodTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private const int Revisions = 8000;
    private const string HonestNeedle = "honest_needle";
    private static readonly string[] GitWork = ["blame", "log", "grep", "ls-tree"];

    /// <summary>What a blame, a history and a search page say when git's output passed <c>MaxGitOutputBytes</c> (16 KiB here).</summary>
    private static readonly string[] OutputCapMessages =
    [
        "Blame printed more than 16 KiB and was stopped",
        "This history printed more than 16 KiB and was stopped",
        "The search printed more than 16 KiB and was stopped",
    ];

    [Fact]
    public async Task AttackersAreCappedAndTheHonestClientIsServed()
    {
        await using var storage = PortalStorage.Sqlite();
        using var repository = BuildLargeHistory();
        var userId = PortalTestData.RandomId();
        await PortalTestData.SeedUserAsync(storage, userId, "Flooded", [("big", repository)], Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Browse__MaxGitCommands"] = "2",
            ["GitTorrent__Browse__MaxGitCommandsPerClient"] = "1",
            ["GitTorrent__Browse__MaxGitCommandQueue"] = "2",
            ["GitTorrent__Browse__MaxGitOutputBytes"] = "16384",
            ["GitTorrent__Browse__GitCommandTimeout"] = "00:02:00",
        }).WaitAsync(Timeout);
        var store = Path.Combine(storage.DataDirectory, "repos", userId, "big.git");
        var commits = TempGitRepo.Run(store, "rev-list", "--max-count=400", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var home = $"/u/{userId}/big";
        await using var probe = new GitProcessProbe(store, GitWork);

        // Two attacker addresses, one run each at a time: both slots busy, the honest request waits its turn in line.
        var attack = new Attack(portal.Http.BaseAddress!, home, commits);
        using (var stop = new CancellationTokenSource())
        {
            var flood = attack.RunAsync(["127.0.0.2", "127.0.0.3"], workersEach: 6, stop.Token);
            await WaitUntilAsync(() => probe.Peak >= 2 && attack.Count(HttpStatusCode.TooManyRequests) + attack.Count(HttpStatusCode.ServiceUnavailable) > 0);
            await HonestPagesAreCorrectAsync(portal, repository, home);
            // Until each kind of expensive page has been cut at the output cap at least once (which kind a worker asks
            // for next depends on the order answers come back, so a fixed count of answers may miss one).
            await WaitUntilAsync(() => OutputCapMessages.All(m => attack.Bodies(HttpStatusCode.OK).Any(b => b.Contains(m, StringComparison.Ordinal))));
            await stop.CancelAsync();
            await flood.WaitAsync(Timeout);
        }

        Assert.True(probe.Peak <= 2, $"{probe.Peak} git processes ran at once (MaxGitCommands 2)");
        Assert.True(attack.Count(HttpStatusCode.TooManyRequests) > 0, attack.Describe());
        Assert.True(attack.RetryAfterOnEveryRefusal, "a 429 came without Retry-After");
        Assert.Contains(attack.Bodies(HttpStatusCode.TooManyRequests), body => body.Contains("your address already has as many expensive requests under way as it may (1)", StringComparison.Ordinal));
        Assert.All(OutputCapMessages, m => Assert.Contains(attack.Bodies(HttpStatusCode.OK), body => body.Contains(m, StringComparison.Ordinal)));

        // Eight addresses: two run, two wait, the rest is refused with 503 and Retry-After.
        var crowd = new Attack(portal.Http.BaseAddress!, home, commits);
        using (var stop = new CancellationTokenSource())
        {
            var flood = crowd.RunAsync([.. Enumerable.Range(2, 8).Select(i => $"127.0.0.{i}")], workersEach: 2, stop.Token);
            await WaitUntilAsync(() => (crowd.Count(HttpStatusCode.ServiceUnavailable) > 0 || probe.Peak > 2) && crowd.Count(HttpStatusCode.OK) >= 2);
            await stop.CancelAsync();
            await flood.WaitAsync(Timeout);
        }

        Assert.True(probe.Peak <= 2, $"{probe.Peak} git processes ran at once (MaxGitCommands 2)");
        Assert.True(crowd.Count(HttpStatusCode.ServiceUnavailable) > 0, crowd.Describe());
        Assert.Contains(crowd.Bodies(HttpStatusCode.ServiceUnavailable), body => body.Contains("the portal is busy", StringComparison.Ordinal));
        Assert.True(crowd.RetryAfterOnEveryRefusal, "a 503 came without Retry-After");

        // Every bound that bit was logged (once, then summed every 10 s).
        await WaitUntilAsync(() => portal.Runner.Describe().Contains("Browse:MaxGitCommandQueue", StringComparison.Ordinal));
        var log = portal.Runner.Describe();
        Assert.Contains("Limit Browse:MaxGitCommandsPerClient bit", log, StringComparison.Ordinal);
        Assert.Contains("Limit Browse:MaxGitOutputBytes bit", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeoutsStopABlameAndTheTreeColumnWithAMessage()
    {
        await using var storage = PortalStorage.Sqlite();
        using var repository = BuildLargeHistory();
        var userId = PortalTestData.RandomId();
        await PortalTestData.SeedUserAsync(storage, userId, "Slow", [("big", repository)], Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Browse__GitCommandTimeout"] = "00:00:00.100",
        }).WaitAsync(Timeout);
        var store = Path.Combine(storage.DataDirectory, "repos", userId, "big.git");
        await using var probe = new GitProcessProbe(store, "blame");

        using var response = await portal.Http.GetAsync($"/u/{userId}/big/blame/main/big.txt").WaitAsync(Timeout);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Blame took longer than 0.1 s and was stopped.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<table class=\"blame", body, StringComparison.Ordinal);
        Assert.True(probe.Seen >= 1, "no git blame ran");
        await WaitUntilAsync(() => probe.Now == 0); // git was killed, not left running
        await WaitUntilAsync(() => portal.Runner.Describe().Contains("Limit Browse:GitCommandTimeout bit", StringComparison.Ordinal));

        // The tree's column: notes/ last changed 8,000 commits ago, a walk far longer than 0.1 s. The page says so
        // and is not kept in the page cache (nor the walk in the browse cache): the next request renders it anew.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var tree = await portal.Http.GetAsync($"/u/{userId}/big").WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, tree.StatusCode);
            Assert.Contains("The last-commit column took longer than 0.1 s and was stopped", await tree.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
            Assert.Null(tree.Headers.Age);
        }
    }

    private static async Task HonestPagesAreCorrectAsync(PortalProcess portal, TempGitRepo repository, string home)
    {
        using var honest = ClientFrom(IPAddress.Loopback, portal.Http.BaseAddress!);
        // Blame: one row per line, each with the commit git blame --porcelain names for it.
        var blame = await GetOkAsync(honest, $"{home}/blame/main/small.txt");
        var expected = repository.Git("blame", "--porcelain", "main", "--", "small.txt").Split('\n')
            .Where(l => l.Length > 41 && l[40] == ' ' && l[..40].All(char.IsAsciiHexDigitLower)).Select(l => l[..40]).ToList();
        var shown = System.Text.RegularExpressions.Regex.Matches(blame, "data-commit=\"([0-9a-f]{40})\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, shown);
        var history = await GetOkAsync(honest, $"{home}/commits/main/small.txt");
        foreach (var commit in repository.Git("log", "--format=%H", "main", "--", "small.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(commit[..12], history, StringComparison.Ordinal);
        }

        Assert.Contains("small.txt", await GetOkAsync(honest, $"{home}/search/main?q={HonestNeedle}"), StringComparison.Ordinal);
        Assert.Contains("notes/n7.txt", await GetOkAsync(honest, $"{home}/find/main?q=n7"), StringComparison.Ordinal);
    }

    private static async Task<string> GetOkAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url).WaitAsync(Timeout);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        Assert.DoesNotContain("git-stop", body, StringComparison.Ordinal);
        return body;
    }

    /// <summary>
    /// big.txt, 2,000 lines, changed one line at a time by <see cref="Revisions"/> commits (git blame at the tip takes
    /// about 1.5 s of CPU); 50 notes whose lines all contain "line" (a search that matches everything prints far more
    /// than 16 KiB); small.txt with three commits, what the honest client asks for. Built by git fast-import.
    /// </summary>
    private static TempGitRepo BuildLargeHistory()
    {
        var repository = new TempGitRepo();
        var start = GitRunner.CreateStartInfo(repository.Root, ["fast-import", "--quiet"]);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        var input = process.StandardInput.BaseStream;
        var lines = Enumerable.Range(0, 2000).Select(i => $"line {i:D5} of the big file, unchanged since the start\n").ToArray();
        var random = new Random(12);
        for (var revision = 0; revision < Revisions; revision++)
        {
            var files = new StringBuilder();
            if (revision > 0)
            {
                var changed = random.Next(lines.Length);
                lines[changed] = $"line {changed:D5} changed by revision {revision}\n";
            }
            else
            {
                for (var note = 0; note < 50; note++)
                {
                    File(files, $"notes/n{note}.txt", string.Concat(Enumerable.Range(0, 30).Select(i => $"note {note} line {i}: words words words words words\n")));
                }
            }

            if (revision is 0 or 100 or 5000)
            {
                File(files, "small.txt", $"small file, revision {revision}\nit holds the {HonestNeedle}\n");
            }

            File(files, "big.txt", string.Concat(lines));
            var message = $"revision {revision}\n";
            var header = new StringBuilder()
                .Append("commit refs/heads/main\n")
                .Append($"committer Test <test@example.invalid> {1_700_000_000 + (revision * 60)} +0000\n")
                .Append($"data {Encoding.UTF8.GetByteCount(message)}\n{message}");
            Write(input, header.Append(files).Append('\n').ToString());
        }

        input.Close();
        Assert.True(process.WaitForExit(120_000), "git fast-import did not finish");
        Assert.True(process.ExitCode == 0, $"git fast-import: {error.Result}{output.Result}");
        repository.Git("reset", "-q", "--hard", "main");
        return repository;

        static void File(StringBuilder files, string path, string text) =>
            files.Append($"M 100644 inline {path}\ndata {Encoding.UTF8.GetByteCount(text)}\n{text}");

        static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(50);
        }
    }

    internal static HttpClient ClientFrom(IPAddress local, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = baseAddress, Timeout = Timeout };

    /// <summary>Workers per attacker address asking, one after another, for the expensive pages at ever other commits.</summary>
    private sealed class Attack(Uri baseAddress, string home, IReadOnlyList<string> commits)
    {
        private readonly ConcurrentQueue<(HttpStatusCode Status, string Body, bool RetryAfter)> answers = new();
        private int next;

        public bool RetryAfterOnEveryRefusal => answers.Where(a => a.Status != HttpStatusCode.OK).All(a => a.RetryAfter);

        public int Count(HttpStatusCode status) => answers.Count(a => a.Status == status);

        public IEnumerable<string> Bodies(HttpStatusCode status) => answers.Where(a => a.Status == status).Select(a => a.Body);

        public string Describe() => string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{(int)g.Key}: {g.Count()}"));

        public Task RunAsync(IReadOnlyList<string> addresses, int workersEach, CancellationToken cancellationToken) =>
            Task.WhenAll(addresses.SelectMany(address => Enumerable.Range(0, workersEach).Select(_ => WorkAsync(IPAddress.Parse(address), cancellationToken))));

        private async Task WorkAsync(IPAddress address, CancellationToken cancellationToken)
        {
            using var client = ClientFrom(address, baseAddress);
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                var commit = commits[1 + (n % (commits.Count - 1))]; // never main's tip: the honest client's keys stay its own
                var url = (n % 4) switch
                {
                    0 => $"{home}/blame/{commit}/big.txt",
                    1 => $"{home}/commits/{commit}/big.txt",
                    2 => $"{home}/search/{commit}?q=line",
                    _ => $"{home}/find/{commit}?q=n",
                };
                try
                {
                    using var response = await client.GetAsync(url, cancellationToken);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    answers.Enqueue((response.StatusCode, body, response.Headers.RetryAfter is not null));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return; // the attacker leaves mid-request
                }
            }
        }
    }
}
