using System.Globalization;

namespace GitTorrent.Bench.Attack;

/// <summary>
/// A process and its descendants from /proc: resident memory in all (and of the root alone), and CPU time (user + system of each live process,
/// plus what the root has reaped from children that ended: cutime, cstime).
/// </summary>
internal static class ProcessTree
{
    public static (long RssBytes, TimeSpan Cpu, long RootRssBytes) Measure(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Stat(pid) is { } fields)
            {
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }
        long rss = 0, ticks = 0, rootRss = 0;
        foreach (var pid in tree)
        {
            if (Stat(pid) is not { } fields)
            {
                continue;
            }
            // Fields after the command name: state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14], rss pages [21].
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (pid == root)
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }
            var bytes = long.Parse(fields[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            rss += bytes;
            rootRss = pid == root ? bytes : rootRss;
        }
        return (rss, TimeSpan.FromSeconds(ticks / 100.0), rootRss);
    }

    /// <summary>Waits until the process tree is quiet: under 0.1 CPU second in a second, or at most 2 minutes.</summary>
    public static async Task QuietAsync(int pid)
    {
        for (var i = 0; i < 120; i++)
        {
            var before = Measure(pid).Cpu;
            await Task.Delay(1000);
            if ((Measure(pid).Cpu - before).TotalSeconds < 0.1)
            {
                return;
            }
        }
    }

    /// <summary>The bytes of every file under the folder (files that vanish while counted count 0; a folder that vanishes
    /// while walked starts the count again).</summary>
    public static long FolderBytes(string folder)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f =>
                {
                    try
                    {
                        return f.Length;
                    }
                    catch (FileNotFoundException)
                    {
                        return 0;
                    }
                });
            }
            catch (DirectoryNotFoundException) when (attempt < 10)
            {
            }
        }
    }

    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
