using System.ComponentModel.DataAnnotations;
using System.Net;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Dht;
using Microsoft.Extensions.Configuration;

namespace GitTorrent.Cli;

/// <summary>
/// Pulls the common options out of a command line (anywhere in it, as <c>--flag value</c> or <c>--flag=value</c>)
/// and applies the environment and defaults. Everything else is left, in order, for the command.
/// A lone <c>--</c> ends option parsing.
/// </summary>
public static class CliOptionsParser
{
    public const string HomeVariable = "GITTORRENT_HOME";
    public const string BootstrapVariable = "GITTORRENT_BOOTSTRAP";
    public const string DhtPortVariable = "GITTORRENT_DHT_PORT";
    public const string BtPortVariable = "GITTORRENT_BT_PORT";
    public const string BindVariable = "GITTORRENT_BIND";
    public const string OriginSchemeVariable = "GITTORRENT_ORIGIN_SCHEME";
    public const string ResolverVariable = "GITTORRENT_RESOLVER";
    public const string PackCacheBytesVariable = "GITTORRENT_PACK_CACHE_BYTES";

    /// <summary>Prefix of the DHT limits: <c>GITTORRENT_DHT__MaxItemsPerAddress=100</c> sets <see cref="DhtOptions.MaxItemsPerAddress"/>.</summary>
    public const string DhtLimitPrefix = "GITTORRENT_DHT__";
    public const string SwarmTimeoutVariable = "GITTORRENT_SWARM_TIMEOUT";
    public const string ResolverAllowHttpVariable = "GITTORRENT_RESOLVER_ALLOW_HTTP";

    /// <summary>Flag → environment variable, in the order help shows them.</summary>
    public static IReadOnlyList<(string Flag, string Variable, string Value, string Meaning)> Flags { get; } =
    [
        ("--home", HomeVariable, "DIR", "identity, salts, state and config.json (default ~/.gittorrent)"),
        ("--bootstrap", BootstrapVariable, "HOST:PORT,...", "DHT bootstrap nodes (default: public mainline routers; empty: none)"),
        ("--dht-port", DhtPortVariable, "PORT", "UDP port of the DHT node (default 6881, 0 = any)"),
        ("--bt-port", BtPortVariable, "PORT", "TCP port for BitTorrent peers (default 30000, 0 = any)"),
        ("--bind", BindVariable, "ADDRESS", "address to bind and to announce (default 0.0.0.0)"),
        ("--resolver", ResolverVariable, "URL", "portal whose /api/names/{name} resolves names (default none)"),
        ("--swarm-timeout", SwarmTimeoutVariable, "SECONDS",
            "how long a clone looks for a peer before it uses the origin or fails (default 3)"),
    ];

    public static CliOptionsParseResult Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (flag, variable, _, _) in Flags)
        {
            if (environment.TryGetValue(variable, out var fromEnvironment) && fromEnvironment is not null)
            {
                values[flag] = fromEnvironment;
            }
        }

        var remaining = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                remaining.AddRange(args.Skip(i + 1));
                break;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (!Flags.Any(f => f.Flag == name))
            {
                remaining.Add(arg);
                continue;
            }

            if (equals > 0)
            {
                values[name] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                return Fail($"{name} needs a value");
            }
        }

        var home = values.GetValueOrDefault("--home");
        if (home is not null && home.Trim().Length == 0)
        {
            return Fail("--home (GITTORRENT_HOME) is empty; give a directory");
        }

        var options = new CliOptions { Home = ExpandHome(home ?? "~/.gittorrent") };

        if (values.TryGetValue("--bootstrap", out var bootstrap) && bootstrap is not null)
        {
            var nodes = bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var bad = nodes.FirstOrDefault(n => !IsHostPort(n));
            if (bad is not null)
            {
                return Fail($"--bootstrap (GITTORRENT_BOOTSTRAP): '{bad}' is not host:port");
            }

            options = options with { Bootstrap = nodes };
        }

        if (!TryPort(values, "--dht-port", CliOptions.DefaultDhtPort, out var dhtPort, out var error)
            || !TryPort(values, "--bt-port", CliOptions.DefaultBtPort, out var btPort, out error))
        {
            return Fail(error!);
        }

        options = options with { DhtPort = dhtPort, BtPort = btPort };

        if (values.TryGetValue("--bind", out var bind) && bind is not null)
        {
            if (!IPAddress.TryParse(bind, out var address))
            {
                return Fail($"--bind (GITTORRENT_BIND): '{bind}' is not an IP address such as 0.0.0.0 or 127.0.0.1");
            }

            options = options with { Bind = address };
        }

        if (values.TryGetValue("--resolver", out var resolver) && !string.IsNullOrWhiteSpace(resolver))
        {
            if (!Uri.TryCreate(resolver, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return Fail($"--resolver (GITTORRENT_RESOLVER): '{resolver}' is not an http(s) URL");
            }

            options = options with { Resolver = uri };
        }

        if (values.TryGetValue("--swarm-timeout", out var swarmTimeout) && !string.IsNullOrWhiteSpace(swarmTimeout))
        {
            if (!double.TryParse(swarmTimeout, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture,
                    out var seconds) || seconds is < 0.1 or > 3600)
            {
                return Fail($"--swarm-timeout (GITTORRENT_SWARM_TIMEOUT): '{swarmTimeout}' is not a number of seconds from 0.1 to 3600");
            }

            options = options with { SwarmTimeout = TimeSpan.FromSeconds(seconds) };
        }

        if (environment.TryGetValue(ResolverAllowHttpVariable, out var allowHttp) && !string.IsNullOrWhiteSpace(allowHttp))
        {
            if (allowHttp is not ("1" or "true" or "0" or "false"))
            {
                return Fail($"{ResolverAllowHttpVariable} must be 1 or 0, not '{allowHttp}'");
            }

            options = options with { ResolverAllowHttp = allowHttp is "1" or "true" };
        }

        if (environment.TryGetValue(OriginSchemeVariable, out var scheme) && !string.IsNullOrWhiteSpace(scheme))
        {
            if (scheme is not ("http" or "https"))
            {
                return Fail($"GITTORRENT_ORIGIN_SCHEME must be http or https, not '{scheme}'");
            }

            options = options with { OriginScheme = scheme };
        }

        if (!TryPackCacheBytes(environment, options.PackCacheBytes, out var cacheBytes, out var cacheError))
        {
            return Fail(cacheError!);
        }
        if (!TryLimits(environment, out var limits, out var limitsError))
        {
            return Fail(limitsError!);
        }
        options = options with { PackCacheBytes = cacheBytes, Limits = limits };
        if (!TryDhtLimits(environment, out var dht, out var dhtError))
        {
            return Fail(dhtError!);
        }

        options = options with { Dht = dht };

        return new CliOptionsParseResult(options, remaining, null);

        static CliOptionsParseResult Fail(string error) => new(null, [], error);
    }

    /// <summary>The process environment as the parser wants it.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>
    /// The DHT limits set as <c>GITTORRENT_DHT__&lt;DhtOptions property&gt;</c>, checked like the node checks them;
    /// null when none is set. Names that are not options are an error (a typo must not pass unnoticed).
    /// </summary>
    private static bool TryDhtLimits(IReadOnlyDictionary<string, string?> environment, out DhtOptions? dht, out string? error)
    {
        dht = null;
        error = null;
        var settings = environment
            .Where(e => e.Key.StartsWith(DhtLimitPrefix, StringComparison.Ordinal) && e.Value is not null)
            .ToDictionary(e => e.Key[DhtLimitPrefix.Length..], e => e.Value, StringComparer.OrdinalIgnoreCase);
        if (settings.Count == 0)
        {
            return true;
        }
        var limits = new DhtOptions();
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build()
                .Bind(limits, o => o.ErrorOnUnknownConfiguration = true);
            Validator.ValidateObject(limits, new ValidationContext(limits), validateAllProperties: true);
        }
        catch (Exception e) when (e is InvalidOperationException or ValidationException)
        {
            error = $"{DhtLimitPrefix}*: {e.Message}";
            return false;
        }
        dht = limits;
        return true;
    }

    private static bool TryPort(
        Dictionary<string, string?> values, string flag, int fallback, out int port, out string? error)
    {
        error = null;
        port = fallback;
        if (!values.TryGetValue(flag, out var text) || text is null)
        {
            return true;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port is >= 0 and <= 65535)
        {
            return true;
        }

        var variable = Flags.First(f => f.Flag == flag).Variable;
        error = $"{flag} ({variable}): '{text}' is not a port number 0-65535";
        return false;
    }

    private static bool TryPackCacheBytes(IReadOnlyDictionary<string, string?> environment, long fallback, out long bytes, out string? error)
    {
        error = null;
        bytes = fallback;
        if (!environment.TryGetValue(PackCacheBytesVariable, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bytes) && bytes > 0)
        {
            return true;
        }
        error = $"{PackCacheBytesVariable}: '{text}' is not a positive number of bytes";
        return false;
    }

    /// <summary>The node's bounds from their variables (<see cref="NodeLimits.Settings"/>), defaults for those not set.</summary>
    private static bool TryLimits(IReadOnlyDictionary<string, string?> environment, out NodeLimits limits, out string? error)
    {
        error = null;
        limits = new NodeLimits();
        foreach (var setting in NodeLimits.Settings)
        {
            if (!environment.TryGetValue(setting.Variable, out var text) || string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            try
            {
                limits = setting.Apply(limits, text.Trim());
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                error = $"{setting.Variable}: '{text}' is not a valid value ({setting.Meaning})";
                return false;
            }
        }
        if (limits.Problems() is [var problem, ..])
        {
            error = $"node limits: {problem}";
            return false;
        }
        return true;
    }

    private static bool IsHostPort(string node)
    {
        var colon = node.LastIndexOf(':');
        return colon > 0 && ushort.TryParse(node.AsSpan(colon + 1), out var port) && port > 0;
    }

    private static string ExpandHome(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            path = Path.Combine(user, path.Length > 2 ? path[2..] : string.Empty);
        }

        return Path.GetFullPath(path);
    }
}
