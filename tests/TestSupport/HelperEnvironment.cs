using System.Globalization;

namespace GitTorrent.TestSupport;

/// <summary>
/// The environment of a <c>git</c> run that uses our remote helper, or of a <c>gittorrent</c> program, in a test: the
/// helper on PATH, its own home folder, a private DHT (or none), loopback only, git never prompting and reading no
/// system config. The one place tests write it.
/// </summary>
public static class HelperEnvironment
{
    /// <summary>The folder holding the built <c>git-remote-gittorrent</c> (reference that project so it is built first).</summary>
    public static string HelperDirectory =>
        Path.GetDirectoryName(RepositoryLayout.Output("src/Cli/git-remote-gittorrent", "git-remote-gittorrent"))!;

    /// <param name="home">GITTORRENT_HOME: keys, caches and the node's state.</param>
    /// <param name="bootstrap">Comma-separated DHT nodes; empty for no DHT at all.</param>
    /// <param name="btPort">The BitTorrent listen port; 0 for any.</param>
    /// <param name="dhtPort">The DHT port; 0 for any.</param>
    /// <param name="resolver">GITTORRENT_RESOLVER (a portal's address), when names are resolved through one.</param>
    /// <param name="plainHttpOrigins">GITTORRENT_ORIGIN_SCHEME=http: the origin fallback may use plain HTTP (loopback servers).</param>
    public static Dictionary<string, string?> For(string home, string bootstrap = "", int btPort = 0, int dhtPort = 0,
        string? resolver = null, bool plainHttpOrigins = false)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = HelperDirectory + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["GITTORRENT_HOME"] = home,
            ["GITTORRENT_BOOTSTRAP"] = bootstrap,
            ["GITTORRENT_DHT_PORT"] = dhtPort.ToString(CultureInfo.InvariantCulture),
            ["GITTORRENT_BT_PORT"] = btPort.ToString(CultureInfo.InvariantCulture),
            ["GITTORRENT_BIND"] = "127.0.0.1",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        };
        if (resolver is not null)
        {
            environment["GITTORRENT_RESOLVER"] = resolver;
        }
        if (plainHttpOrigins)
        {
            environment["GITTORRENT_ORIGIN_SCHEME"] = "http";
        }
        return environment;
    }
}
