using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;

namespace GitTorrent.Cli.Commands;

/// <summary>
/// <c>gittorrent name preorder|register &lt;name&gt;</c>: prints the OP_RETURN payload of docs/PROTOCOL.md section 5 in
/// hex (one line on stdout). The preorder's random salt is kept in <c>$GITTORRENT_HOME/names/&lt;name&gt;.json</c>
/// with the name and keyhash, and register reads it back. With <c>--rpc URL</c> the payload is also sent through
/// a Bitcoin Core-compatible wallet (createrawtransaction, fundrawtransaction, signrawtransactionwithwallet,
/// sendrawtransaction) and the txid is printed on a second line.
/// </summary>
/// <remarks>
/// Running preorder again for a name keeps the stored salt (so the same payload is printed and a preorder that
/// was already sent is never orphaned); <c>--new-salt</c> replaces it. The keyhash is <c>--keyhash</c>, else the
/// user id of <c>$GITTORRENT_HOME/identity</c> (<c>gittorrent keygen</c>), else a 40-hex id in
/// <c>$GITTORRENT_HOME/userid</c>.
/// </remarks>
public sealed class NameCommand : ICliCommand
{
    /// <summary>What <c>gittorrent name --help</c> prints when this class is run directly.</summary>
    public const string HelpText = """
        usage: gittorrent name preorder <name> [options]
               gittorrent name register <name> [options]

        Prints the OP_RETURN payload (hex) for a Bitcoin username (docs/PROTOCOL.md section 5).
        preorder: gt? + commitment; keeps a random salt in $GITTORRENT_HOME/names/<name>.json.
        register: gt! + keyhash + salt + name; needs the preorder's salt. Send it at least one block
                  and at most 144 blocks after the preorder.

        options:
          --home DIR            GitTorrent home (default $GITTORRENT_HOME or ~/.gittorrent)
          --keyhash HEX         40-hex user id to register (default: the identity in $GITTORRENT_HOME)
          --new-salt            preorder: replace a stored salt instead of reusing it
          --rpc URL             also build, fund, sign and send the transaction through this
                                bitcoind-compatible wallet RPC; prints the txid on a second line
          --rpc-user USER       RPC user (or put user:password@ in the URL)
          --rpc-password PASS   RPC password
        """;

    public string Name => "name";

    public string Summary => "print (and with --rpc send) the OP_RETURN payload that preorders or registers a username";

    public string Usage => """
        gittorrent name preorder <name> [--keyhash HEX] [--new-salt] [--rpc URL [--rpc-user U --rpc-password P]]
        gittorrent name register <name> [--keyhash HEX] [--rpc URL [--rpc-user U --rpc-password P]]
          Prints the payload in hex. preorder keeps a random salt in $GITTORRENT_HOME/names/<name>.json
          (reused on a second preorder unless --new-salt); register reveals it, 1 to 144 blocks later.
          The keyhash defaults to the identity's user id. --rpc builds, funds, signs and sends through a
          bitcoind-compatible wallet RPC and prints the txid on a second line.
        """;

    /// <summary>Runs from the <c>gittorrent</c> dispatcher (common options, --home included, already parsed).</summary>
    public Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync([.. args, "--home", context.Options.Home], context.Out, context.Error, cancellationToken);
    }

    private static readonly TimeSpan RpcTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = args.Length > 0 && args[0] == "name" ? args[1..] : args;
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            await stdout.WriteLineAsync(HelpText.AsMemory(), ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        try
        {
            var options = Options.Parse(rest);
            var home = options.Home
                ?? (Environment.GetEnvironmentVariable("GITTORRENT_HOME") is { Length: > 0 } env
                    ? env
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gittorrent"));
            byte[] payload;
            var saltFile = Path.Combine(home, "names", options.Name + ".json");
            if (options.Verb == "preorder")
            {
                payload = await PreorderAsync(options, home, saltFile, stderr, ct).ConfigureAwait(false);
            }
            else
            {
                payload = await RegisterAsync(options, saltFile, ct).ConfigureAwait(false);
            }
            await stdout.WriteLineAsync(Convert.ToHexStringLower(payload).AsMemory(), ct).ConfigureAwait(false);

            if (options.Rpc is not null)
            {
                using var http = new HttpClient { Timeout = RpcTimeout };
                var rpc = new BitcoinRpc(http, options.Rpc, options.RpcUser, options.RpcPassword);
                var txid = await new BitcoinWalletRpc(rpc).SendOpReturnAsync(payload, ct).ConfigureAwait(false);
                await RecordTxidAsync(saltFile, options.Verb + "Txid", txid, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(txid.AsMemory(), ct).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is UsageException or GitTorrentException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"gittorrent name: {e.Message}".AsMemory(), ct).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static async Task<byte[]> PreorderAsync(Options options, string home, string saltFile, TextWriter stderr, CancellationToken ct)
    {
        var keyHash = options.KeyHash ?? await ReadUserIdAsync(home, ct).ConfigureAwait(false);
        byte[] salt;
        (Hash20 KeyHash, byte[] Salt)? stored = File.Exists(saltFile) ? await ReadSaltFileAsync(saltFile, ct).ConfigureAwait(false) : null;
        if (stored is not null && !options.NewSalt)
        {
            if (stored.Value.KeyHash != keyHash)
            {
                throw new UsageException(
                    $"{saltFile} holds a preorder of '{options.Name}' for {stored.Value.KeyHash}, not {keyHash}; use --new-salt to replace it.");
            }
            salt = stored.Value.Salt;
            await stderr.WriteLineAsync($"gittorrent name: reusing the salt kept in {saltFile}".AsMemory(), ct).ConfigureAwait(false);
        }
        else
        {
            salt = RandomNumberGenerator.GetBytes(NamePayload.SaltLength);
        }
        var commitment = NamePayload.ComputeCommitment(options.Name, keyHash, salt);
        var document = new JsonObject
        {
            ["name"] = options.Name,
            ["keyHash"] = keyHash.ToString(),
            ["salt"] = Convert.ToHexStringLower(salt),
            ["commitment"] = commitment.ToString(),
            ["created"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        if (stored is null || options.NewSalt)
        {
            await WriteAtomicallyAsync(saltFile, document, ct).ConfigureAwait(false);
        }
        return NamePayload.EncodePreorder(commitment);
    }

    private static async Task<byte[]> RegisterAsync(Options options, string saltFile, CancellationToken ct)
    {
        if (!File.Exists(saltFile))
        {
            throw new UsageException($"no preorder of '{options.Name}' ({saltFile} is missing): run 'gittorrent name preorder {options.Name}' first.");
        }
        var stored = await ReadSaltFileAsync(saltFile, ct).ConfigureAwait(false);
        if (options.KeyHash is { } given && given != stored.KeyHash)
        {
            throw new UsageException($"the preorder of '{options.Name}' in {saltFile} is for {stored.KeyHash}, not {given}.");
        }
        return NamePayload.EncodeRegister(options.Name, stored.KeyHash, stored.Salt);
    }

    private static async Task<Hash20> ReadUserIdAsync(string home, CancellationToken ct)
    {
        using (var identity = IdentityFile.TryLoad(home))
        {
            if (identity is not null)
            {
                return identity.UserId;
            }
        }
        var path = Path.Combine(home, "userid");
        if (!File.Exists(path))
        {
            throw new UsageException($"no identity in {home}: run 'gittorrent keygen' first, or pass --keyhash <40 hex>.");
        }
        var text = (await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)).Trim();
        return Hash20.TryParse(text, out var id) ? id : throw new UsageException($"{path} does not hold a 40-hex user id.");
    }

    private static async Task<(Hash20 KeyHash, byte[] Salt)> ReadSaltFileAsync(string path, CancellationToken ct)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false));
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path} is not valid JSON: {e.Message}");
        }
        var keyText = node?["keyHash"]?.GetValueKind() == JsonValueKind.String ? node["keyHash"]!.GetValue<string>() : null;
        var saltText = node?["salt"]?.GetValueKind() == JsonValueKind.String ? node["salt"]!.GetValue<string>() : null;
        if (!Hash20.TryParse(keyText, out var keyHash) || saltText is not { Length: 2 * NamePayload.SaltLength }
            || !saltText.All(char.IsAsciiHexDigit))
        {
            throw new UsageException($"{path} lacks a valid keyHash (40 hex) and salt (32 hex).");
        }
        return (keyHash, Convert.FromHexString(saltText));
    }

    private static async Task RecordTxidAsync(string saltFile, string property, string txid, CancellationToken ct)
    {
        if (File.Exists(saltFile) && JsonNode.Parse(await File.ReadAllTextAsync(saltFile, ct).ConfigureAwait(false)) is JsonObject document)
        {
            document[property] = txid;
            await WriteAtomicallyAsync(saltFile, document, ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteAtomicallyAsync(string path, JsonObject document, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        await File.WriteAllTextAsync(temp, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", ct)
            .ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite); // the salt is a secret until register
        }
        File.Move(temp, path, overwrite: true);
    }

    private sealed class UsageException(string message) : Exception(message);

    private sealed record Options(
        string Verb, string Name, string? Home, Hash20? KeyHash, bool NewSalt, Uri? Rpc, string? RpcUser, string? RpcPassword)
    {
        public static Options Parse(string[] args)
        {
            string? verb = null, name = null, home = null, rpcUser = null, rpcPassword = null;
            Hash20? keyHash = null;
            Uri? rpc = null;
            var newSalt = false;
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value.");
                switch (arg)
                {
                    case "--home":
                        home = Value();
                        break;
                    case "--keyhash":
                        var hex = Value();
                        keyHash = Hash20.TryParse(hex, out var k) ? k : throw new UsageException($"--keyhash '{hex}' is not 40 hex digits.");
                        break;
                    case "--new-salt":
                        newSalt = true;
                        break;
                    case "--rpc":
                        var url = Value();
                        rpc = Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
                            ? u
                            : throw new UsageException($"--rpc '{url}' is not an http(s) URL.");
                        break;
                    case "--rpc-user":
                        rpcUser = Value();
                        break;
                    case "--rpc-password":
                        rpcPassword = Value();
                        break;
                    default:
                        if (arg.StartsWith('-'))
                        {
                            throw new UsageException($"unknown option {arg} (see --help).");
                        }
                        if (verb is null)
                        {
                            verb = arg is "preorder" or "register" ? arg : throw new UsageException($"unknown subcommand '{arg}': use preorder or register.");
                        }
                        else if (name is null)
                        {
                            name = arg;
                        }
                        else
                        {
                            throw new UsageException($"unexpected argument '{arg}'.");
                        }
                        break;
                }
            }
            if (verb is null || name is null)
            {
                throw new UsageException("usage: gittorrent name preorder|register <name> (see --help).");
            }
            if (!NamePayload.IsValidName(name.AsSpan()))
            {
                throw new UsageException($"'{name}' is not a valid name: 1 to 32 of a-z, 0-9 and '-', not starting or ending with '-'.");
            }
            if (newSalt && verb != "preorder")
            {
                throw new UsageException("--new-salt only applies to preorder.");
            }
            return new Options(verb, name, home, keyHash, newSalt, rpc, rpcUser, rpcPassword);
        }
    }
}
