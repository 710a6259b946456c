using System.Text.Json;
using GitTorrent.Engine;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>Repositories, stats.json and helper output used by the swarm acceptance tests.</summary>
internal static class SwarmTestData
{
    public static void AssertOk(GitTorrent.TestSupport.ProcessRunner run) => Assert.True(run.ExitCode == 0, run.Describe());

    /// <summary>
    /// A repository with <paramref name="commits"/> commits, each adding <paramref name="randomBytesPerCommit"/> bytes
    /// of incompressible data, so its pack is about commits x randomBytesPerCommit bytes.
    /// </summary>
    public static TempGitRepo MakeRepository(string path, int commits, int randomBytesPerCommit)
    {
        var repo = new TempGitRepo(path: path);
        for (var i = 0; i < commits; i++)
        {
            var data = new byte[randomBytesPerCommit];
            Random.Shared.NextBytes(data);
            File.WriteAllBytes(Path.Combine(repo.Root, $"blob{i}.bin"), data);
            repo.Commit($"note{i}.txt", $"commit {i} {Guid.NewGuid()}\n");
        }
        return repo;
    }

    /// <summary>Makes a bare copy of <paramref name="source"/> at <paramref name="bare"/> with one pack (same bytes every time).</summary>
    public static void MakeBare(string source, string bare)
    {
        TempGitRepo.Run(Path.GetDirectoryName(bare)!, "clone", "-q", "--bare", "--no-local", source, bare);
    }

    /// <summary>Copies a folder tree byte for byte (cp -a).</summary>
    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    /// <summary>The daemon's stats.json "uploaded" total, or 0 before the first write.</summary>
    public static long Uploaded(string home)
    {
        var path = Path.Combine(home, "stats.json");
        if (!File.Exists(path))
        {
            return 0;
        }
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("uploaded").GetInt64();
    }

    /// <summary>Waits until the daemon's stats.json reports at least <paramref name="bytes"/> uploaded (it is rewritten every 5 s).</summary>
    public static async Task<long> WaitForUploadedAsync(string home, long bytes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long last;
        while ((last = Uploaded(home)) < bytes && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        return last;
    }

    /// <summary>Per-peer byte counts from the helper's "Received N pack bytes for C from a:p (x bytes), b:q (y bytes)" line.</summary>
    public static Dictionary<int, long> BytesPerPeerPort(GitTorrent.TestSupport.ProcessRunner run)
    {
        var line = run.StandardError.LastOrDefault(l => l.StartsWith("Received ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException("no 'Received' line: " + run.Describe());
        var result = new Dictionary<int, long>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(line, @"127\.0\.0\.1:(\d+) \((\d+) bytes\)"))
        {
            result[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] =
                long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return result;
    }

    /// <summary>All refs of a repository as "sha ref" lines.</summary>
    public static string Refs(string gitDir) => TempGitRepo.Run(gitDir, "for-each-ref", "--format=%(objectname) %(refname)");

    public static Hash20 Head(string gitDir) => Hash20.Parse(TempGitRepo.Run(gitDir, "rev-parse", "HEAD").Trim());
}
