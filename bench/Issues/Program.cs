using GitTorrent.TestSupport;
using System.Diagnostics;
using System.Globalization;
using GitTorrent.Bench.Issues;
using GitTorrent.Engine;
using GitTorrent.Engine.Issues;
using GitTorrent.Web.Git;
using GitTorrent.Web.Issues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Issues stored in the repository (docs/issues.md), measured on a repository of 10,000 issues and 50,000 comments made
// through the command line's code path: (1) gittorrent issue list against git ls-tree -r HEAD .issues, interleaved;
// (2) the portal's index of a commit that changed one issue, for 100, 1,000 and 10,000 issues; (3) the issue list page
// of the real portal under wrk at 50 connections, uncached, beside the repository page as a baseline. See README.md.
var issues = 10_000;
var comments = 5;
var seconds = 20;
var connections = 50;
var runs = 15;
var programs = new List<string>();
var keep = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--issues": issues = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--comments": comments = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--connections": connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--gittorrent": programs.Add(args[++i]); break;
        case "--keep": keep = true; break;
        default:
            Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Issues -- [--issues 10000] [--comments 5] [--runs 15] "
                + "[--seconds 20] [--connections 50] [--gittorrent PATH]... [--keep]");
            return 2;
    }
}

var root = RepositoryLayout.Root;
var configuration = typeof(PortalHost).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
    .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
if (programs.Count == 0)
{
    programs.Add(Path.Combine(root, "src/Cli/gittorrent/bin", configuration, "net10.0/gittorrent"));
}
var webDll = Path.Combine(root, "src/Web/bin", configuration, "net10.0/GitTorrent.Web.dll");
var work = Path.Combine(Path.GetTempPath(), "gt-bench-issues-" + Guid.NewGuid().ToString("N")[..8]);
var author = Hash20.Random();
var store = Path.Combine(work, "data", "repos", author.ToString());
Directory.CreateDirectory(store);
var random = new Random(14);
var clock = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
Console.WriteLine($"# bench/Issues: {issues:N0} issues x {comments} comments, {configuration}, gittorrent = {string.Join(", ", programs)}");
Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {Measured.Load()}");
try
{
    // 0. The repository, in the portal's store.
    var big = Path.Combine(store, "issues.git");
    var generator = new IssueRepositoryGenerator(big, author);
    var watch = Stopwatch.StartNew();
    await generator.GenerateAsync(issues, comments, CancellationToken.None);
    var files = (await GitTorrent.Engine.Git.GitRunner.RunAsync(big, ["ls-tree", "-r", "--name-only", "HEAD", IssuePaths.Root], CancellationToken.None))
        .Count(c => c == '\n');
    Console.WriteLine($"generated {files:N0} files under .issues in {watch.Elapsed.TotalSeconds:0.0} s (load {Measured.Load()})");

    // 1. gittorrent issue list against git ls-tree -r HEAD .issues, interleaved.
    var cache = Path.Combine(big, "gittorrent");
    string[] list = ["issue", "-C", big, "list", "--state", "all"];
    string[] lsTree = ["-C", big, "ls-tree", "-r", "HEAD", IssuePaths.Root];
    var env = new Dictionary<string, string> { ["GITTORRENT_HOME"] = Path.Combine(work, "home") };
    async Task CompareAsync(string gittorrent, string label, Func<Task> before, int count)
    {
        var ours = new List<Measured>();
        var git = new List<Measured>();
        for (var r = 0; r < count; r++)
        {
            await before();
            ours.Add(await Measured.RunAsync(gittorrent, list, env));
            git.Add(await Measured.RunAsync("git", lsTree));
        }
        var ratio = ours.Select(m => m.Wall).Order().ElementAt(count / 2) / git.Select(m => m.Wall).Order().ElementAt(count / 2);
        var cpuRatio = ours.Select(m => m.Cpu).Order().ElementAt(count / 2) / git.Select(m => m.Cpu).Order().ElementAt(count / 2);
        Console.WriteLine($"| {Path.GetFileName(Path.GetDirectoryName(gittorrent))}: {label} | {Measured.Median(ours.Select(m => m.Wall))} / {Measured.Median(ours.Select(m => m.Cpu))} CPU "
            + $"| {Measured.Median(git.Select(m => m.Wall))} / {Measured.Median(git.Select(m => m.Cpu))} CPU | {ratio:0.00} (CPU {cpuRatio:0.00}) | {Measured.Load()} |");
    }
    Console.WriteLine();
    Console.WriteLine($"| gittorrent issue list --state all (median of {runs}) | wall / CPU | git ls-tree -r HEAD .issues | ratio (wall) | load |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var gittorrent in programs)
    {
        await CompareAsync(gittorrent, "no cache (first run)", () => { DeleteIfExists(cache); return Task.CompletedTask; }, Math.Max(3, runs / 3));
        await Measured.RunAsync(gittorrent, list, env);
        await CompareAsync(gittorrent, "same commit listed before", () => Task.CompletedTask, runs);
        await CompareAsync(gittorrent, "after a commit that changed one issue", async () =>
        {
            clock = clock.AddMinutes(1);
            await generator.CommentAsync(generator.Ids[random.Next(generator.Ids.Count)], clock, CancellationToken.None);
        }, runs);
    }

    // 2. The portal's index: the first index of a commit, then commits that each change one issue. A throwaway index
    // first, so the figures are not the JIT's.
    Console.WriteLine();
    using (var warmPool = new GitRepositoryPool())
    using (var warm = new IssueIndex(warmPool, Options.Create(new IssueLimits()), Options.Create(new IssuePageOptions()), NullLogger<IssueIndex>.Instance))
    {
        var tip = (await GitTorrent.Engine.Git.GitRunner.RunAsync(big, ["rev-parse", "HEAD"], CancellationToken.None)).Trim();
        await warm.SnapshotAsync(big, tip, CancellationToken.None);
    }
    Console.WriteLine("| issues | first index | index after a one-issue commit (median / max of 10) | CPU per incremental index | load |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var size in new[] { 100, 1_000, issues })
    {
        var repository = size == issues ? generator : new IssueRepositoryGenerator(Path.Combine(work, $"small-{size}.git"), author);
        var path = size == issues ? big : Path.Combine(work, $"small-{size}.git");
        if (size != issues)
        {
            await repository.GenerateAsync(size, comments, CancellationToken.None);
        }
        using var pool = new GitRepositoryPool();
        using var index = new IssueIndex(pool, Options.Create(new IssueLimits()), Options.Create(new IssuePageOptions()), NullLogger<IssueIndex>.Instance);
        var tip = (await GitTorrent.Engine.Git.GitRunner.RunAsync(path, ["rev-parse", "HEAD"], CancellationToken.None)).Trim();
        watch.Restart();
        var first = await index.SnapshotAsync(path, tip, CancellationToken.None);
        var full = watch.Elapsed;
        var times = new List<TimeSpan>();
        var cpu = new List<TimeSpan>();
        for (var r = 0; r < 10; r++)
        {
            clock = clock.AddMinutes(1);
            var commit = await repository.CommentAsync(repository.Ids[random.Next(repository.Ids.Count)], clock, CancellationToken.None);
            var cpuBefore = Environment.CpuUsage.TotalTime;
            watch.Restart();
            var next = await index.SnapshotAsync(path, commit.ToString(), CancellationToken.None);
            times.Add(watch.Elapsed);
            cpu.Add(Environment.CpuUsage.TotalTime - cpuBefore);
            if (next.All.Count != first.All.Count)
            {
                throw new InvalidOperationException("the index lost issues");
            }
        }
        Console.WriteLine($"| {size:N0} | {Measured.Ms(full)} | {Measured.Median(times)} / {Measured.Ms(times.Max())} | {Measured.Median(cpu)} | {Measured.Load()} |");
    }

    // 3. The issue list page under load, uncached, beside the repository page.
    await using var portal = await PortalHost.StartAsync(webDll, Path.Combine(work, "data"), author.ToString(), "issues");
    var home = $"/u/{author}/issues";
    using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
    watch.Restart();
    var page = await http.GetStringAsync(portal.BaseUrl + home + "/issues");
    var firstPage = watch.Elapsed;
    watch.Restart();
    await http.GetStringAsync(portal.BaseUrl + home + "/issues?state=closed");
    var secondPage = watch.Elapsed;
    if (!page.Contains("Issue ", StringComparison.Ordinal))
    {
        throw new InvalidOperationException("the issue list page shows no issue");
    }
    Console.WriteLine();
    Console.WriteLine($"portal: first issue list request (indexes {issues:N0} issues) {Measured.Ms(firstPage)}, next page {Measured.Ms(secondPage)}");
    var perPage = new IssuePageOptions().IssuesPerPage;
    var issuePaths = new List<string>();
    foreach (var (state, count) in new[] { ("open", issues * 9 / 10), ("closed", issues / 10), ("all", issues) })
    {
        for (var p = 1; p <= (count + perPage - 1) / perPage; p += 3)
        {
            issuePaths.Add($"{home}/issues?state={state}&page={p}");
        }
    }
    issuePaths.AddRange(Enumerable.Range(0, 20).Select(i => $"{home}/issues?state=all&q=stalls+after+{i % 13}+peers&page={1 + (i % 3)}"));
    Console.WriteLine();
    Console.WriteLine($"| wrk -t2 -c{connections} -d{seconds}s, Authorization header (no page cache) | req/s | p50 | p99 | portal CPU per request | errors | load |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    for (var round = 0; round < 2; round++)
    {
        foreach (var (label, paths) in new[] { ($"issue list, {issuePaths.Count} pages at random", issuePaths), ("repository page (baseline)", new List<string> { home }) })
        {
            var before = portal.CpuSeconds();
            var result = await Wrk.RunAsync(portal.BaseUrl, paths, connections, seconds, work);
            var cpuPerRequest = (portal.CpuSeconds() - before) / Math.Max(1, result.Requests) * 1000;
            Console.WriteLine($"| {label} | {result.RequestsPerSecond:0} | {result.P50Ms:0.0} ms | {result.P99Ms:0.0} ms | {cpuPerRequest:0.00} ms | {result.Errors} | {Measured.Load()} |");
        }
    }
    return 0;
}
finally
{
    if (keep)
    {
        Console.WriteLine($"kept {work} (store user {author})");
    }
    else
    {
        DeleteIfExists(work);
    }
}

static void DeleteIfExists(string path)
{
    if (Directory.Exists(path))
    {
        Directory.Delete(path, recursive: true);
    }
}

