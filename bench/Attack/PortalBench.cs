using System.Diagnostics;
using System.Globalization;
using System.Text;
using GitTorrent.Bench.Clone;
using GitTorrent.Data;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Bench.Attack;

/// <summary>
/// The portal half of the attack bench: the portal (src/Web, Release, SQLite, loopback, no DHT bootstrap) mirrors the
/// repository and a second one holding one 300 MB file; for each portal attacker (a child process, from 127.0.0.2), an
/// honest smart-HTTP <c>git clone --bare</c> from 127.0.0.1 without the attack and one during it, with the portal's peak
/// RSS (its process tree), CPU seconds, the growth of its data folder and whether the clone got every ref. For badrefs
/// the portal's DHT node (a fixed port) is the private DHT the attacker's node joins, and the portal crawls and fetches
/// the attacker's profile (its crawler set to look again every 5 s, the worst case).
/// </summary>
internal static class PortalBench
{
    public static async Task RunAsync(string bundle, string? branch, IReadOnlyList<string> attacks, string benchWork, string web)
    {
        var work = Path.Combine(benchWork, "portal"); // its own folder: the daemon half copies the bundle through the same scratch names
        Directory.CreateDirectory(work);
        var hour = TimeSpan.FromHours(1);
        var originRoot = Path.Combine(work, "portal-origin");
        Directory.CreateDirectory(originRoot);
        var bare = Path.Combine(originRoot, "libgit2.git");
        await SeederSetup.CopyBareAsync(Path.GetFullPath(bundle), branch, bare, work);
        var tip = (await Command.RunAsync("git", ["-C", bare, "rev-parse", "HEAD"], null, hour)).Check("rev-parse").Output.Trim();
        var refs = (await Command.RunAsync("git", ["-C", bare, "for-each-ref", "--format=%(objectname) %(refname)"], null, hour)).Check("for-each-ref").Output;

        // The second repository: one commit with one 300 MB file of random bytes.
        var bigWork = Path.Combine(work, "big-work");
        (await Command.RunAsync("git", ["init", "-q", "-b", "main", bigWork], null, hour)).Check("init");
        await using (var file = File.Create(Path.Combine(bigWork, "big.bin")))
        {
            var random = new Random(300);
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 300; i++)
            {
                random.NextBytes(chunk);
                await file.WriteAsync(chunk);
            }
        }
        (await Command.RunAsync("git", ["-C", bigWork, "add", "big.bin"], null, hour)).Check("add");
        (await Command.RunAsync("git", ["-C", bigWork, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "300 MB of random bytes"], null, hour)).Check("commit");
        (await Command.RunAsync("git", ["clone", "-q", "--bare", bigWork, Path.Combine(originRoot, "big.git")], null, hour)).Check("clone big");
        Directory.Delete(bigWork, true);
        var bigTip = (await Command.RunAsync("git", ["-C", Path.Combine(originRoot, "big.git"), "rev-parse", "HEAD"], null, hour)).Check("rev-parse big").Output.Trim();

        // The badrefs attacker's repository (50 commits in a line, branch good-NN at the NNth) and identity.
        var badRefs = Path.Combine(work, "badrefs.git");
        var goodRefs = await MakeGoodRefsAsync(badRefs);
        var attackerIdentity = Path.Combine(work, "badrefs-identity.json");
        string attackerId;
        using (var identity = UserIdentity.Generate())
        {
            identity.Save(attackerIdentity);
            attackerId = identity.UserId.ToString();
        }
        var portalDhtPort = FreePorts.Udp();

        using var origin = await GitHttpServer.StartAsync(originRoot);
        var data = Path.Combine(work, "portal-data");
        var environment = new Dictionary<string, string>
        {
            ["GitTorrent__DataDir"] = data, ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning",
            ["GitTorrent__Bootstrap"] = "", ["GitTorrent__DhtPort"] = portalDhtPort.ToString(CultureInfo.InvariantCulture),
            ["GitTorrent__BtPort"] = "0", ["GitTorrent__Bind"] = "127.0.0.1",
            ["GitTorrent__Crawler__Interval"] = "00:00:05", ["GitTorrent__Crawler__InitialBackoff"] = "00:00:01",
            ["GitTorrent__Crawler__MaxBackoff"] = "00:00:05", ["GitTorrent__Crawler__Idle"] = "00:00:01",
        };
        async Task<string> PortalCommandAsync(params string[] args) =>
            (await Command.RunAsync("dotnet", [web, .. args], environment, hour)).Check(string.Join(' ', args)).Output;
        // whoami prints the id on stdout; the output here has stderr after it (the data-protection warning).
        var portalId = (await PortalCommandAsync("whoami")).Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.Contains(' ', StringComparison.Ordinal));
        await PortalCommandAsync("admin", "create-user", "admin"); // the account the sign-in attacker guesses at
        foreach (var name in new[] { "libgit2", "big" })
        {
            await PortalCommandAsync("mirror", "add", origin.UrlOf(name + ".git"), "--name", name, "--interval", "30d");
            var sync = Stopwatch.StartNew();
            await PortalCommandAsync("mirror", "sync", name);
            Console.WriteLine($"portal mirror {name} synced in {sync.Elapsed.TotalSeconds:0} s");
        }

        var port = FreePorts.Tcp();
        var baseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { web, "--urls", baseUrl })
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }
        using var portal = Process.Start(info)!;
        var portalLog = Task.WhenAll(portal.StandardOutput.ReadToEndAsync(), portal.StandardError.ReadToEndAsync());
        try
        {
            using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        if ((await probe.GetAsync(new Uri(baseUrl + "/healthz"))).IsSuccessStatusCode)
                        {
                            break;
                        }
                    }
                    catch (HttpRequestException) when (i < 240)
                    {
                    }
                    await Task.Delay(500);
                }
            }
            var cloneUrl = $"{baseUrl}/{portalId}/libgit2.git";
            async Task<(double Seconds, bool Complete, string Error)> CloneAsync()
            {
                var target = Path.Combine(work, "portal-clone-" + Guid.NewGuid().ToString("N")[..8]);
                var run = await Command.RunAsync("git", ["clone", "-q", "--bare", cloneUrl, target], new Dictionary<string, string> { ["GIT_TERMINAL_PROMPT"] = "0" }, TimeSpan.FromMinutes(10));
                var complete = run.ExitCode == 0
                    && (await Command.RunAsync("git", ["-C", target, "for-each-ref", "--format=%(objectname) %(refname)"], null, hour)).Output == refs;
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, true);
                }
                return (run.Elapsed.TotalSeconds, complete, run.ExitCode == 0 ? "" : run.Output.Trim().Split('\n')[^1]);
            }

            var warm = await CloneAsync();
            Console.WriteLine($"portal warm-up clone: {warm.Seconds:0.0} s, complete: {warm.Complete} {warm.Error}");
            Console.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine(AttackRound.Header);
            // badrefs: the good refs the portal serves for the attacker's repository (git ls-remote over its smart HTTP).
            var badRefsUrl = $"{baseUrl}/{attackerId}/{PortalAttackers.BadRefsRepository}.git";
            async Task<(int Good, int All, string Others)> GoodRefsServedAsync()
            {
                var listed = await Command.RunAsync("git", ["ls-remote", badRefsUrl], new Dictionary<string, string> { ["GIT_TERMINAL_PROMPT"] = "0" }, TimeSpan.FromMinutes(1));
                var served = listed.ExitCode != 0 ? [] : listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())
                    .Where(l => !l.EndsWith("\tHEAD", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
                var others = served.Except(goodRefs).Select(l => l.Split('\t')[^1]).Order(StringComparer.Ordinal);
                return (goodRefs.Count(served.Contains), served.Count, string.Join(' ', others));
            }
            // Once the attacker has published: the portal learns its id (as from a name registration), crawls the profile,
            // fetches the repository from the attacker's node; the attacked clone starts when the good refs are served.
            async Task<string> WaitForBadRefsAsync()
            {
                await AddKnownUserAsync(data, attackerIdentity);
                var waited = Stopwatch.StartNew();
                var served = (Good: 0, All: 0, Others: "");
                while (waited.Elapsed < TimeSpan.FromMinutes(3) && (served = await GoodRefsServedAsync()).Good < goodRefs.Count)
                {
                    await Task.Delay(500);
                }
                return $"portal served {served.Good} of the {goodRefs.Count} good refs ({served.All} refs in all; others: {served.Others}) "
                    + $"{waited.Elapsed.TotalSeconds:0} s after the profile was published;";
            }

            foreach (var attack in attacks)
            {
                string[] extra = attack == "badrefs" ? [$"127.0.0.1:{portalDhtPort}", badRefs, attackerIdentity, Path.Combine(work, "badrefs-node")] : [];
                var (row, attackerLog) = await AttackRound.RunAsync(attack, portal.Id, data, CloneAsync,
                    ["--portal-attacker", attack, baseUrl, portalId, tip, bigTip, .. extra], () => Task.CompletedTask,
                    attack == "badrefs" ? WaitForBadRefsAsync : null);
                Console.WriteLine(row);
                var after = "";
                if (attack == "badrefs")
                {
                    var (good, all, others) = await GoodRefsServedAsync();
                    after = $" after the attack: {good} of {goodRefs.Count} good refs served ({all} refs in all; others: {others});";
                }
                Console.Error.WriteLine($"  attacker {attack}: {attackerLog}{after} load {File.ReadAllText("/proc/loadavg").Trim()}");
            }
        }
        finally
        {
            if (!portal.HasExited)
            {
                portal.Kill(true);
                await portal.WaitForExitAsync();
            }
            var log = await portalLog;
            File.WriteAllText(Path.Combine(Path.GetTempPath(), "gt-bench-attack-portal.log"), log[0] + log[1]);
        }
    }

    /// <summary>A bare repository of 50 commits in a line, branch <c>good-NN</c> at the NNth (one fast-import); its "refs/heads/good-NN" lines as ls-remote prints them.</summary>
    private static async Task<IReadOnlyList<string>> MakeGoodRefsAsync(string bare)
    {
        var hour = TimeSpan.FromHours(1);
        (await Command.RunAsync("git", ["init", "-q", "--bare", bare], null, hour)).Check("init badrefs");
        var stream = new StringBuilder();
        for (var i = 0; i < 50; i++)
        {
            var message = $"good {i}\n";
            var content = $"{i}\n";
            stream.Append(CultureInfo.InvariantCulture, $"commit refs/heads/good-{i:00}\nmark :{i + 1}\ncommitter bench <bench@example.invalid> {1_700_000_000 + i} +0000\n")
                .Append(CultureInfo.InvariantCulture, $"data {message.Length}\n{message}")
                .Append(i > 0 ? $"from :{i}\n" : "")
                .Append(CultureInfo.InvariantCulture, $"M 644 inline good.txt\ndata {content.Length}\n{content}\n");
        }
        var input = Path.Combine(Path.GetDirectoryName(bare)!, "badrefs.fast-import");
        await File.WriteAllTextAsync(input, stream.ToString());
        (await Command.RunAsync("sh", ["-c", $"git -C '{bare}' fast-import --quiet < '{input}'"], null, hour)).Check("fast-import");
        return (await Command.RunAsync("git", ["-C", bare, "for-each-ref", "--format=%(objectname)\t%(refname)"], null, hour)).Check("for-each-ref badrefs")
            .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
    }

    /// <summary>Adds the attacker's id to the portal's users (a known id, crawled from now on), as a name registration would.</summary>
    private static async Task AddKnownUserAsync(string data, string identityFile)
    {
        using var identity = UserIdentity.Load(identityFile);
        var settings = DatabaseSettings.FromConfiguration(new ConfigurationBuilder().Build(), data);
        await using var db = new GitTorrentDbContextFactory(settings, NullLoggerFactory.Instance).CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        db.Users.Add(new Data.Entities.User
        {
            UserId = identity.UserId.ToString(), PublicKey = identity.PublicKey, RawProfile = [], Signature = [], Seq = 0, FirstSeen = now, LastSeen = now,
        });
        await db.SaveChangesAsync();
    }

}
