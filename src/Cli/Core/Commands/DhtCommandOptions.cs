using System.Globalization;
using System.Net;

namespace GitTorrent.Cli.Commands;

/// <summary>
/// Options shared by the <c>gittorrent dht</c> commands (INTERFACES.md "Common options"): flags override
/// environment variables, which override the defaults.
/// </summary>
public sealed class DhtCommandOptions
{
    /// <summary>Public mainline routers, used only when neither --bootstrap nor GITTORRENT_BOOTSTRAP is given.</summary>
    public static readonly string[] PublicRouters =
    [
        "router.bittorrent.com:6881",
        "router.utorrent.com:6881",
        "dht.transmissionbt.com:6881",
        "dht.libtorrent.org:25401",
    ];

    public const int DefaultPort = 6881;

    public string Home { get; private set; } = "";

    public List<string> Bootstrap { get; private set; } = [];

    public int Port { get; private set; } = DefaultPort;

    /// <summary>True when the port came from a flag or the environment rather than the default.</summary>
    public bool PortGiven { get; private set; }

    public IPAddress Bind { get; private set; } = IPAddress.Any;

    public bool Help { get; private set; }

    public bool Json { get; private set; }

    public string? Salt { get; private set; }

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(60);

    /// <summary>Arguments that are not options, in order.</summary>
    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>; on a bad argument returns false with a one-line reason.</summary>
    public static bool TryParse(string[] args, Func<string, string?> environment, out DhtCommandOptions options, out string error)
    {
        options = new DhtCommandOptions();
        error = "";
        string? home = environment("GITTORRENT_HOME");
        string? bootstrap = environment("GITTORRENT_BOOTSTRAP");
        string? port = environment("GITTORRENT_DHT_PORT");
        string? bind = environment("GITTORRENT_BIND");
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }
                return i + 1 < args.Length ? args[++i] : null;
            }
            switch (arg)
            {
                case "-h" or "--help":
                    options.Help = true;
                    break;
                case "--json":
                    options.Json = true;
                    break;
                case "--home" or "--bootstrap" or "--dht-port" or "--bind" or "--salt" or "--timeout":
                    var value = Value();
                    if (value is null)
                    {
                        error = $"{arg} needs a value";
                        return false;
                    }
                    switch (arg)
                    {
                        case "--home": home = value; break;
                        case "--bootstrap": bootstrap = value; break;
                        case "--dht-port": port = value; break;
                        case "--bind": bind = value; break;
                        case "--salt": options.Salt = value; break;
                        default:
                            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                            {
                                error = $"--timeout wants seconds, not '{value}'";
                                return false;
                            }
                            options.Timeout = TimeSpan.FromSeconds(seconds);
                            break;
                    }
                    break;
                default:
                    if (arg.StartsWith('-') && arg.Length > 1)
                    {
                        error = $"unknown option {arg}";
                        return false;
                    }
                    options.Positional.Add(arg);
                    break;
            }
        }
        options.Home = string.IsNullOrEmpty(home)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gittorrent")
            : home;
        options.Bootstrap = bootstrap is null
            ? [.. PublicRouters]
            : [.. bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        foreach (var entry in options.Bootstrap)
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = $"bootstrap node '{entry}' is not host:port";
                return false;
            }
        }
        if (port is not null)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > 65535)
            {
                error = $"DHT port '{port}' is not a port number";
                return false;
            }
            options.Port = parsed;
            options.PortGiven = true;
        }
        if (bind is not null)
        {
            if (!IPAddress.TryParse(bind, out var address))
            {
                error = $"bind address '{bind}' is not an IP address";
                return false;
            }
            options.Bind = address;
        }
        return true;
    }
}
