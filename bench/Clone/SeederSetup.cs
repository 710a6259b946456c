using GitTorrent.TestSupport;
using System.Diagnostics;
using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Bench.Clone;

/// <summary>
/// What the benches that clone from a `gittorrent daemon` share (bench/Clone, bench/Attack links this file): the served
/// bare copy, the daemon, waiting for its announcement, free ports, the repository root.
/// </summary>
internal static class SeederSetup
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>
    /// A bare copy of <paramref name="input"/> (a repository or a bundle) at <paramref name="bare"/>; with
    /// <paramref name="branch"/> only that branch, no tags, copied in two steps so the served pack holds only its objects.
    /// </summary>
    public static async Task CopyBareAsync(string input, string? branch, string bare, string work)
    {
        if (branch is not null)
        {
            var single = Path.Combine(work, "single.git");
            (await Command.RunAsync("git", ["clone", "-q", "--bare", "--single-branch", "--no-tags", "--branch", branch, input, single], null, Hour))
                .Check("git clone --single-branch");
            input = single;
        }
        (await Command.RunAsync("git", ["clone", "-q", "--bare", "--no-local", input, bare], null, Hour)).Check("git clone --bare");
        if ((await Command.RunAsync("git", ["-C", bare, "rev-parse", "--verify", "-q", "HEAD"], null, Hour)).ExitCode != 0)
        {
            // A bundle does not say which branch HEAD names, and git guesses "master": libgit2's is main.
            (await Command.RunAsync("git", ["-C", bare, "symbolic-ref", "HEAD", "refs/heads/main"], null, Hour)).Check("git symbolic-ref HEAD");
        }
    }

    /// <summary>Starts `gittorrent daemon --repos <paramref name="repos"/>` and waits for its "serving" line.</summary>
    public static async Task<Process> StartDaemonAsync(string gittorrent, string repos, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { gittorrent, "daemon", "--repos", repos })
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }
        var daemon = Process.Start(info)!;
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginErrorReadLine();
        var serving = await daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        if (serving?.StartsWith("serving ", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException("the daemon did not start: " + serving);
        }
        _ = daemon.StandardOutput.ReadToEndAsync();
        return daemon;
    }

    /// <summary>Waits until <paramref name="dht"/> finds a peer for the commit <paramref name="head"/> (the daemon announced it).</summary>
    public static async Task WaitAnnouncedAsync(DhtNode dht, string head)
    {
        var target = Hash20.Parse(head);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var _ in dht.FindPeersAsync(target, cts.Token))
            {
                return;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("the daemon never announced " + head);
    }

    /// <summary>
    /// The `gittorrent` program and the folder of `git-remote-gittorrent`, built in the configuration the bench was built
    /// in (<paramref name="bench"/>, its assembly).
    /// </summary>
    public static (string Gittorrent, string HelperDir) Programs(System.Reflection.Assembly bench)
    {
        var root = RepositoryLayout.Root;
        var configuration = bench.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
        return (Path.Combine(root, "src/Cli/gittorrent/bin", configuration, "net10.0/gittorrent.dll"),
            Path.Combine(root, "src/Cli/git-remote-gittorrent/bin", configuration, "net10.0"));
    }

    /// <summary>Stops what a run started (any may be null) and deletes its work folder.</summary>
    public static async Task CleanUpAsync(Process? daemon, IAsyncDisposable? dht, string work)
    {
        if (daemon is { HasExited: false })
        {
            daemon.Kill(true);
            await daemon.WaitForExitAsync();
        }
        if (dht is not null)
        {
            await dht.DisposeAsync();
        }
        try
        {
            Directory.Delete(work, true);
        }
        catch (IOException)
        {
        }
    }
}
