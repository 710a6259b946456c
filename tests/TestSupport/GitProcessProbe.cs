namespace GitTorrent.TestSupport;

/// <summary>
/// Watches /proc for git processes running in one repository (their working directory) with one of the given
/// subcommands, as often as it can: how many ran at most at once and how many distinct ones were seen. Counting real processes works the
/// same whatever the code under test counts itself; the repository path is the test's own, so other tests' git
/// processes are not counted. With <c>freeze</c>, each matching process is stopped (SIGSTOP) as soon as it is seen,
/// so that it cannot finish before the test acts; SIGKILL still ends it, and disposing continues what is left.
/// </summary>
public sealed class GitProcessProbe : IAsyncDisposable
{
    private readonly string _repository;
    private readonly string[] _subcommands;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<int> _seen = [];
    private readonly bool _freeze;
    private readonly Task _loop;
    private int _peak;
    private int _alive;

    public GitProcessProbe(string repository, params string[] subcommands)
        : this(repository, freeze: false, subcommands)
    {
    }

    public GitProcessProbe(string repository, bool freeze, params string[] subcommands)
    {
        _repository = Path.GetFullPath(repository).TrimEnd('/');
        _subcommands = subcommands;
        _freeze = freeze;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Matching processes alive in the last scan.</summary>
    public int Now => Volatile.Read(ref _alive);

    /// <summary>Most matching processes seen alive in one scan.</summary>
    public int Peak => Volatile.Read(ref _peak);

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
                bool added;
                lock (_seen)
                {
                    added = _seen.Add(pid);
                }
                if (added && _freeze)
                {
                    Signal("STOP", pid);
                }
            }
            Volatile.Write(ref _alive, now);
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

    /// <summary>Sends a signal with kill(1); a process that is gone already is no error.</summary>
    private static void Signal(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
        })!;
        kill.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        if (_freeze)
        {
            int[] pids;
            lock (_seen)
            {
                pids = [.. _seen];
            }
            foreach (var pid in pids.Where(p => Directory.Exists("/proc/" + p)))
            {
                Signal("CONT", pid);
            }
        }
    }
}
