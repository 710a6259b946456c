namespace GitTorrent.TestSupport;

/// <summary>
/// Watches /proc for git processes running in one repository (their working directory) with one of the given
/// subcommands, as often as it can: how many ran at most at once and how many distinct ones were seen. Counting real
/// processes works the same whatever the code under test counts itself; the repository path is the test's own, so
/// other tests' git processes are not counted.
/// </summary>
public sealed class GitProcessProbe : IAsyncDisposable
{
    private readonly string _repository;
    private readonly string[] _subcommands;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<int> _seen = [];
    private readonly Task _loop;
    private int _peak;
    private int _now;

    public GitProcessProbe(string repository, params string[] subcommands)
    {
        _repository = Path.GetFullPath(repository).TrimEnd('/');
        _subcommands = subcommands;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Most matching processes seen alive in one scan.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Matching processes alive at the last scan.</summary>
    public int Now => Volatile.Read(ref _now);

    /// <summary>Distinct matching processes seen.</summary>
    public int Seen
    {
        get
        {
            lock (_seen)
            {
                return _seen.Count;
            }
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var now = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || !Matches(dir))
                {
                    continue;
                }
                now++;
                lock (_seen)
                {
                    _seen.Add(pid);
                }
            }
            Volatile.Write(ref _now, now);
            if (now > _peak)
            {
                Volatile.Write(ref _peak, now);
            }
            await Task.Yield();
        }
    }

    private bool Matches(string dir)
    {
        try
        {
            var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            var args = cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (args.Length < 2 || Path.GetFileName(args[0]) != "git" || !args.Any(_subcommands.Contains))
            {
                return false;
            }
            var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget;
            return cwd is not null && cwd.TrimEnd('/') == _repository;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone, or not ours
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
