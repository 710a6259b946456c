using System.Globalization;
using System.Text.Json;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;

namespace GitTorrent.Cli.Network;

/// <summary>
/// Builds, signs and puts the user's profile from the repositories they serve. Keeps the last seq in
/// <c>$GITTORRENT_HOME/profile-seq</c> and the daemon's served repositories in <c>served.json</c>, so a push
/// from the remote helper publishes the same set the daemon serves.
/// </summary>
public sealed class ProfilePublisher(CliOptions options, UserIdentity identity)
{
    private string SeqFile => Path.Combine(options.Home, "profile-seq");

    private string ServedFile => Path.Combine(options.Home, "served.json");

    /// <summary>The store of pushed repositories: <c>$GITTORRENT_HOME/repos</c>.</summary>
    public string StoreDirectory => Path.Combine(options.Home, "repos");

    /// <summary>
    /// Records what a running daemon serves (name → path) and its BitTorrent port, so a later push publishes the
    /// same set and announces the port where the daemon, not the short-lived helper, answers.
    /// </summary>
    public void RecordServed(IReadOnlyList<ServedRepository> repositories, int btPort)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new ServedState(btPort, repositories.ToDictionary(r => r.Name, r => r.Path)));
        File.WriteAllBytes(ServedFile + ".tmp", json);
        File.Move(ServedFile + ".tmp", ServedFile, overwrite: true);
    }

    /// <summary>The BitTorrent port the daemon last recorded, if any.</summary>
    public static int? DaemonPort(string home) => ReadState(Path.Combine(home, "served.json"))?.BtPort;

    /// <summary>Every repository under DIR, plus the store's (a pushed repository is served without a restart).</summary>
    public IReadOnlyList<ServedRepository> ScanWithStore(string directory, Action<string>? onSkipped)
    {
        var all = new SortedDictionary<string, ServedRepository>(StringComparer.Ordinal);
        foreach (var repository in RepositoryScanner.Scan(directory, onSkipped))
        {
            all[repository.Name] = repository;
        }
        if (Directory.Exists(StoreDirectory) && Path.GetFullPath(StoreDirectory) != Path.GetFullPath(directory))
        {
            foreach (var repository in RepositoryScanner.Scan(StoreDirectory, onSkipped))
            {
                all.TryAdd(repository.Name, repository);
            }
        }
        return [.. all.Values];
    }

    private static ServedState? ReadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ServedState>(File.ReadAllBytes(path)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null; // a damaged file only loses the daemon's list; the store is scanned anyway
        }
    }

    private sealed record ServedState(int BtPort, Dictionary<string, string> Repositories);

    /// <summary>Repositories to publish: those the daemon last recorded, plus every repository in the store.</summary>
    public IReadOnlyList<ServedRepository> Served()
    {
        var all = new SortedDictionary<string, ServedRepository>(StringComparer.Ordinal);
        foreach (var (name, path) in ReadState(ServedFile)?.Repositories ?? [])
        {
            if (RepositoryScanner.IsValidName(name) && Directory.Exists(path))
            {
                all[name] = new ServedRepository(name, path);
            }
        }
        if (Directory.Exists(StoreDirectory))
        {
            foreach (var repository in RepositoryScanner.Scan(StoreDirectory))
            {
                all.TryAdd(repository.Name, repository);
            }
        }
        return [.. all.Values];
    }

    /// <summary>Signs and puts the profile for <paramref name="repositories"/> with seq above every earlier one.</summary>
    public async Task<(long Seq, DhtPutResult Result, UserProfile Profile)> PublishAsync(GitTorrentNode node,
        IReadOnlyList<ServedRepository> repositories, CancellationToken cancellationToken)
    {
        var (name, email) = ReadConfig();
        var profile = await ProfileBuilder.BuildAsync(repositories, name, email, cancellationToken).ConfigureAwait(false);
        var seq = await node.NextSeqAsync(identity, ReadSeq(), cancellationToken).ConfigureAwait(false);
        var result = await node.PublishProfileAsync(identity, profile, seq, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(SeqFile, seq.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        return (seq, result, profile);
    }

    private long? ReadSeq() =>
        File.Exists(SeqFile) && long.TryParse(File.ReadAllText(SeqFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? seq : null;

    /// <summary>Display name and email from <c>$GITTORRENT_HOME/config.json</c> (<c>{"name":…, "email":…}</c>), if any.</summary>
    private (string? Name, string? Email) ReadConfig()
    {
        var path = Path.Combine(options.Home, "config.json");
        if (!File.Exists(path))
        {
            return (null, null);
        }
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            string? Text(string key) => json.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Text("name"), Text("email"));
        }
        catch (JsonException e)
        {
            throw new Engine.GitTorrentException($"{path} is not valid JSON: {e.Message}");
        }
    }
}
