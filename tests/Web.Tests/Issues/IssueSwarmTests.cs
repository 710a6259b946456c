using System.Net;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Issues;

/// <summary>
/// Issue acceptance, swarm: Alice writes issues with <c>gittorrent issue</c> and pushes with
/// <c>git push gittorrent://&lt;her id&gt;/tracker</c>; a portal crawling her shows the issues and the comment. Bob clones
/// over the swarm, comments, publishes his fork with his own push; the portal lists the fork and Bob's comment as
/// proposed, and the compare page shows the fork's commit and diff. Real daemons, real git, a private DHT on loopback
/// (with a node that left).
/// </summary>
public sealed class IssueSwarmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static string Gittorrent => RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");

    [Fact]
    public async Task Issues_pushed_to_the_swarm_show_on_the_portal_and_a_fork_s_comment_is_proposed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var work = new TempDirectory("issue-swarm");
        // Four nodes that know each other and one that was known and then left: lookups meet it and must get past it.
        await using var dht = await PrivateDht.StartAsync(live: 4, departed: 1, cancellationToken: cts.Token);
        var processes = new List<ProcessRunner>();
        try
        {
            var bootstrap = dht.Bootstrap;

            Dictionary<string, string?> Env(string home, int btPort = 0) => new(HelperEnvironment.For(home, bootstrap, btPort))
            {
                ["GIT_AUTHOR_NAME"] = "Swarm Tester",
                ["GIT_AUTHOR_EMAIL"] = "swarm@example.invalid",
                ["GIT_COMMITTER_NAME"] = "Swarm Tester",
                ["GIT_COMMITTER_EMAIL"] = "swarm@example.invalid",
            };
            async Task<string> RunAsync(string home, params string[] args)
            {
                var run = await ProcessRunner.RunAsync(args[0], args[1..], Timeout, Env(home)).WaitAsync(cts.Token);
                Assert.True(run.ExitCode == 0, $"{string.Join(' ', args)}: {run.Describe()}");
                return string.Join('\n', run.StandardOutput);
            }
            async Task<ProcessRunner> DaemonAsync(string home, string repos)
            {
                Directory.CreateDirectory(repos);
                var daemon = ProcessRunner.Start("dotnet", [Gittorrent, "daemon", "--repos", repos], Env(home, FreePorts.Tcp()));
                processes.Add(daemon);
                while (!daemon.StandardOutput.Any(l => l.StartsWith("serving ", StringComparison.Ordinal)))
                {
                    Assert.False(daemon.HasExited, daemon.Describe());
                    await Task.Delay(100, cts.Token);
                }
                return daemon;
            }

            // Alice: identity, daemon, a repository with issues made by the CLI, pushed to her own id.
            var aliceHome = Path.Combine(work.Path, "alice");
            var alice = Hash20.Parse(await RunAsync(aliceHome, "dotnet", Gittorrent, "keygen"));
            await DaemonAsync(aliceHome, Path.Combine(work.Path, "alice-repos"));
            var aliceWork = Path.Combine(work.Path, "alice-work");
            TempGitRepo.Run(work.Path, "init", "-q", "-b", "main", aliceWork);
            File.WriteAllText(Path.Combine(aliceWork, "README.md"), "# Tracker\n");
            TempGitRepo.Run(aliceWork, "add", "README.md");
            TempGitRepo.Run(aliceWork, "-c", "user.name=Alice", "-c", "user.email=a@example.invalid", "commit", "-q", "-m", "start");
            var hang = await RunAsync(aliceHome, "dotnet", Gittorrent, "issue", "-C", aliceWork, "new", "--title", "Clone hangs behind a proxy", "--body", "It **hangs**.", "--label", "bug");
            var docs = await RunAsync(aliceHome, "dotnet", Gittorrent, "issue", "-C", aliceWork, "new", "--title", "Document the proxy setting", "--body", "");
            await RunAsync(aliceHome, "dotnet", Gittorrent, "issue", "-C", aliceWork, "comment", hang, "--body", "Alice's own comment.");
            await RunAsync(aliceHome, "git", "-C", aliceWork, "push", $"gittorrent://{alice}/tracker", "main:refs/heads/main");

            // The portal knows both ids (as if added by hand) and nothing of their profiles.
            var bobHome = Path.Combine(work.Path, "bob");
            var bob = Hash20.Parse(await RunAsync(bobHome, "dotnet", Gittorrent, "keygen"));
            await using var storage = PortalStorage.Sqlite();
            Assert.Equal(0, (await PortalProcess.RunCommandAsync(storage, "migrate").WaitAsync(Timeout)).ExitCode);
            await using (var db = storage.OpenFactory().CreateDbContext())
            {
                foreach (var id in new[] { alice, bob })
                {
                    db.Users.Add(new User
                    {
                        UserId = id.ToString(), PublicKey = new byte[32], RawProfile = [], Signature = [], Seq = 0,
                        FirstSeen = DateTimeOffset.UtcNow, LastSeen = DateTimeOffset.UtcNow,
                    });
                }
                await db.SaveChangesAsync(cts.Token);
            }
            await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
            {
                ["GitTorrent__Bootstrap"] = bootstrap,
                ["GitTorrent__Crawler__Interval"] = "00:00:02",
                ["GitTorrent__Crawler__InitialBackoff"] = "00:00:01",
                ["GitTorrent__Crawler__MaxBackoff"] = "00:00:02",
                ["GitTorrent__Crawler__Idle"] = "00:00:00.500",
            }).WaitAsync(Timeout);

            async Task<string> PageAsync(string path, Func<string, bool> ready, string what)
            {
                var last = "";
                while (!cts.IsCancellationRequested)
                {
                    using var response = await portal.Http.GetAsync(new Uri(path, UriKind.Relative), cts.Token);
                    last = await response.Content.ReadAsStringAsync(cts.Token);
                    if (response.StatusCode == HttpStatusCode.OK && ready(last))
                    {
                        return last;
                    }
                    await Task.Delay(500, cts.Token);
                }
                throw new TimeoutException($"{path} never showed {what}; last page:\n{last}\n{portal.Runner.Describe()}");
            }

            var issues = $"/u/{alice}/tracker/issues";
            var list = await PageAsync(issues, h => h.Contains("Clone hangs behind a proxy", StringComparison.Ordinal), "Alice's issues");
            Assert.Contains("Document the proxy setting", list, StringComparison.Ordinal);
            var page = await PageAsync($"{issues}/{hang}", h => h.Contains("<strong>hangs</strong>", StringComparison.Ordinal), "the body");
            Assert.Contains("Alice's own comment.", page, StringComparison.Ordinal);

            // Bob clones from the swarm, comments, and publishes his fork by pushing to his own id.
            await DaemonAsync(bobHome, Path.Combine(work.Path, "bob-repos"));
            var bobWork = Path.Combine(work.Path, "bob-work");
            await RunAsync(bobHome, "git", "clone", $"gittorrent://{alice}/tracker", bobWork);
            Assert.Contains($"{hang}  open    Clone hangs behind a proxy [bug] (1 comment)",
                await RunAsync(bobHome, "dotnet", Gittorrent, "issue", "-C", bobWork, "list"), StringComparison.Ordinal);
            await RunAsync(bobHome, "dotnet", Gittorrent, "issue", "-C", bobWork, "comment", hang, "--body", "Bob's comment from his fork.");
            var bobTip = TempGitRepo.Run(bobWork, "rev-parse", "HEAD").Trim();
            await RunAsync(bobHome, "git", "-C", bobWork, "push", $"gittorrent://{bob}/tracker", "main:refs/heads/main");

            var proposed = await PageAsync(issues, h => h.Contains("<section class=\"proposed\"", StringComparison.Ordinal), "Bob's proposal");
            Assert.Contains("1 new comment", proposed, StringComparison.Ordinal);
            Assert.Contains($"compare/main...{bob}:main", proposed, StringComparison.Ordinal);
            var forks = await PageAsync($"/u/{alice}/tracker/forks", h => h.Contains($"/u/{bob}/tracker", StringComparison.Ordinal), "Bob's fork");
            Assert.Contains("is 1 commit ahead of main", forks, StringComparison.Ordinal);
            page = await PageAsync($"{issues}/{hang}", h => h.Contains("Bob&#x27;s comment from his fork.", StringComparison.Ordinal)
                || h.Contains("Bob's comment from his fork.", StringComparison.Ordinal), "Bob's proposed comment");
            Assert.Contains("Proposed from", page, StringComparison.Ordinal);
            var compare = await PageAsync($"/u/{alice}/tracker/compare/main...{bob}:main", h => h.Contains(bobTip[..12], StringComparison.Ordinal), "Bob's commit");
            Assert.Contains($"issue {hang}: comment", compare, StringComparison.Ordinal);
            Assert.Contains($".issues/{hang}/comments/", compare, StringComparison.Ordinal);
            Assert.Contains("Bob&#x27;s comment from his fork.", compare, StringComparison.Ordinal);
            Assert.Contains("Merges cleanly into main.", compare, StringComparison.Ordinal);
            Assert.Contains($"git fetch gittorrent://{bob}/tracker main", compare, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }
}
