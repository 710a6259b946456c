using System.Diagnostics;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;

namespace GitTorrent.TestSupport;

/// <summary>A throwaway repository made with the real git, deleted on dispose.</summary>
public sealed class TempGitRepo : IDisposable
{
    private int _counter;

    public TempGitRepo(bool bare = false, string? path = null)
    {
        Root = path ?? Path.Combine(Path.GetTempPath(), "gt-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Git(bare ? ["init", "-q", "--bare", "-b", "main"] : ["init", "-q", "-b", "main"]);
        GitDir = bare ? Root : Path.Combine(Root, ".git");
    }

    public string Root { get; }

    public string GitDir { get; }

    /// <summary>Writes a file, commits it and returns the commit id.</summary>
    public Hash20 Commit(string? file = null, string? content = null)
    {
        _counter++;
        File.WriteAllText(Path.Combine(Root, file ?? $"file{_counter}.txt"), content ?? $"content {_counter}\n{Guid.NewGuid()}\n");
        Git(["add", "-A"]);
        Git(["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", $"commit {_counter}"]);
        return Hash20.Parse(Git(["rev-parse", "HEAD"]).Trim());
    }

    /// <summary>
    /// Commits a file of <paramref name="bytes"/> random bytes from <paramref name="random"/> written as hex (it
    /// compresses about 2:1, so packs of such commits are large and spread over many pieces).
    /// </summary>
    public Hash20 CommitRandomHex(string file, int bytes, Random random)
    {
        var data = new byte[bytes];
        random.NextBytes(data);
        return Commit(file, Convert.ToHexString(data));
    }

    public string Git(params string[] args) => Run(Root, args);

    public static string Run(string cwd, params string[] args)
    {
        var psi = GitRunner.CreateStartInfo(cwd, args);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException("git " + string.Join(' ', args));
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)}: {stderr.Result}");
        }
        return stdout.Result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
