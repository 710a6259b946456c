using System.Globalization;

namespace GitTorrent.Bench.Clone;

/// <summary>The environment of a gittorrent program or a git run in the bench: its own home, the private DHT, loopback only.</summary>
internal static class CloneEnvironment
{
    public static Dictionary<string, string> For(string helperDir, string home, string bootstrap, int btPort = 0) => new()
    {
        ["PATH"] = helperDir + ":" + Environment.GetEnvironmentVariable("PATH"),
        ["GITTORRENT_HOME"] = home,
        ["GITTORRENT_BOOTSTRAP"] = bootstrap,
        ["GITTORRENT_DHT_PORT"] = "0",
        ["GITTORRENT_BT_PORT"] = btPort.ToString(CultureInfo.InvariantCulture),
        ["GITTORRENT_BIND"] = "127.0.0.1",
        ["GITTORRENT_ORIGIN_SCHEME"] = "http",
        ["GIT_TERMINAL_PROMPT"] = "0",
    };

    /// <summary>A fresh home folder and target path for the next clone, numbered in <paramref name="work"/>.</summary>
    public static (string Home, string Target) NextClone(string work)
    {
        var id = Interlocked.Increment(ref _clones);
        var home = Path.Combine(work, "home" + id);
        Directory.CreateDirectory(home);
        return (home, Path.Combine(work, "clone" + id));
    }

    private static int _clones;
}
