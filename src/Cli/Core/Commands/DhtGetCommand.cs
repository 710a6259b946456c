using System.Text;
using System.Text.Json;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Cli.Commands;

/// <summary>
/// <c>gittorrent dht get &lt;40-hex target&gt;</c>: looks up a BEP 44 item and prints its value (the text of
/// a bencoded string, e.g. a profile's JSON, or the raw bencode otherwise) and then <c>seq N</c> for a
/// mutable item. Exit 1 when nothing valid was found.
/// </summary>
public static class DhtGetCommand
{
    public const string Usage =
        """
        usage: gittorrent dht get <40-hex target> [--salt TEXT] [--json] [--timeout SECONDS]
                                  [--home DIR] [--bootstrap HOST:PORT,...] [--dht-port PORT] [--bind ADDRESS]

        Looks up a BEP 44 item: a mutable item (user profile: target = SHA-1 of the public key, plus the
        salt if any) or an immutable one (target = SHA-1 of the value). Prints the value, then "seq N"
        for a mutable item. Exit 1 if not found. --json prints {"target","seq","publicKey","value"}.
        Uses a random UDP port unless --dht-port or GITTORRENT_DHT_PORT is given, and starts from the
        nodes saved by `gittorrent dht node` in the home folder as well as the bootstrap list.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, ct);

    /// <summary>As above, reading the environment through <paramref name="environment"/> (tests, hosts).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Func<string, string?> environment, CancellationToken ct)
    {
        if (!DhtCommandOptions.TryParse(args, environment, out var options, out var error))
        {
            await stderr.WriteLineAsync("gittorrent dht get: " + error);
            return 1;
        }
        if (options.Help)
        {
            await stdout.WriteLineAsync(Usage);
            return 0;
        }
        if (options.Positional.Count != 1 || !Hash20.TryParse(options.Positional[0], out var target))
        {
            await stderr.WriteLineAsync("gittorrent dht get: expected one 40-hex target");
            return 1;
        }
        var salt = options.Salt is null ? null : Encoding.UTF8.GetBytes(options.Salt);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        DhtNode node;
        try
        {
            node = await DhtNode.StartAsync(new DhtOptions
            {
                BindAddress = options.Bind,
                Port = options.PortGiven ? options.Port : 0,
                BootstrapNodes = options.Bootstrap,
            }, null, ct);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await stderr.WriteLineAsync($"gittorrent dht get: cannot bind {options.Bind}:{options.Port}: {e.Message}");
            return 1;
        }
        await using (node)
        {
            try
            {
                var saved = DhtStateFile.Load(Path.Combine(options.Home, DhtStateFile.FileName));
                if (saved is not null)
                {
                    await Task.WhenAll(saved.Nodes.Select(n => node.AddNode(n.EndPoint))).WaitAsync(timeout.Token);
                }
                await node.BootstrapAsync(timeout.Token);
                var mutableTask = node.GetMutableAsync(target, salt, timeout.Token);
                var immutableTask = salt is null ? node.GetImmutableAsync(target, timeout.Token) : Task.FromResult<byte[]?>(null);
                var mutable = await mutableTask;
                if (mutable is not null)
                {
                    await Print(stdout, options.Json, target, mutable.Sequence, mutable.PublicKey, mutable.Value);
                    return 0;
                }
                var immutable = await immutableTask;
                if (immutable is not null)
                {
                    await Print(stdout, options.Json, target, null, null, immutable);
                    return 0;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                await stderr.WriteLineAsync($"gittorrent dht get: timed out after {options.Timeout.TotalSeconds:0} s");
                return 1;
            }
            catch (IOException e)
            {
                await stderr.WriteLineAsync("gittorrent dht get: " + e.Message);
                return 1;
            }
        }
        await stderr.WriteLineAsync($"gittorrent dht get: no item found for {target}");
        return 1;
    }

    private static async Task Print(TextWriter stdout, bool json, Hash20 target, long? seq, byte[]? publicKey, byte[] value)
    {
        var decoded = BencodeReader.Decode(value, BencodeReadOptions.Lenient);
        var text = decoded is BString s ? s.Text : Encoding.UTF8.GetString(value);
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["target"] = target.ToString(),
                ["seq"] = seq,
                ["publicKey"] = publicKey is null ? null : Convert.ToHexStringLower(publicKey),
                ["value"] = text,
            }));
            return;
        }
        await stdout.WriteLineAsync(text);
        if (seq is { } n)
        {
            await stdout.WriteLineAsync($"seq {n}");
        }
    }
}
