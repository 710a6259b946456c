using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Torrents;
using Microsoft.Extensions.Logging;
using GitTorrent.Engine.Client;

namespace GitTorrent.Engine.Node;

/// <summary>Profiles (docs/PROTOCOL.md section 3): signed BEP 44 puts, with a <c>profile.json</c> torrent when too large.</summary>
public sealed partial class GitTorrentNode
{
    /// <summary>A manifest larger than this is not downloaded.</summary>
    public const long MaxManifestBytes = UserProfile.MaxManifestJsonBytes;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Hash20, string> _manifestPaths = new();

    // The manifest each user (the ones published here and the ones fetched) last had: an older one is pruned.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Hash20, Hash20> _userManifests = new();

    /// <summary>
    /// Manifests on disk from an earlier run are neither seeded nor remembered: deleted at start (a published one is
    /// written again by the next publish, a fetched one by the next fetch).
    /// </summary>
    private void PruneStaleManifests()
    {
        var folder = Path.Combine(Options.StateDirectory, "profiles");
        if (!Directory.Exists(folder))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            TryDeleteFile(file);
        }
    }

    /// <summary>Records <paramref name="manifest"/> as the user's current one and stops seeding and deletes the previous one.</summary>
    private async Task ReplaceManifestAsync(Hash20 userId, Hash20 manifest)
    {
        if (!_userManifests.TryGetValue(userId, out var previous) || previous == manifest)
        {
            _userManifests[userId] = manifest;
            return;
        }
        _userManifests[userId] = manifest;
        if (_userManifests.Values.Contains(previous))
        {
            return; // another user's profile points at the same manifest
        }
        await Torrents.RemoveAsync(previous, CancellationToken.None).ConfigureAwait(false);
        if (_manifestPaths.TryRemove(previous, out var path))
        {
            TryDeleteFile(path);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // In use or gone: the next start prunes it.
        }
    }

    /// <summary>
    /// Signs <paramref name="profile"/> with <paramref name="identity"/> at <paramref name="seq"/> and puts it. A
    /// profile over 996 bytes of JSON is seeded as a <c>profile.json</c> torrent and the item carries its infohash.
    /// </summary>
    public async Task<DhtPutResult> PublishProfileAsync(UserIdentity identity, UserProfile profile, long seq,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(profile);
        byte[] json;
        if (!profile.FitsInline(out var full))
        {
            var manifest = await SeedManifestAsync(full, cancellationToken).ConfigureAwait(false);
            await ReplaceManifestAsync(identity.UserId, manifest).ConfigureAwait(false);
            json = profile.WithManifest(manifest);
        }
        else
        {
            json = full;
        }
        var value = new BString(json).Encode();
        var signature = identity.SignProfile(seq, value);
        var item = new MutableItem(value, seq, identity.PublicKey, signature, []);
        var result = await Dht.PutMutableAsync(item, null, cancellationToken).ConfigureAwait(false);
        LogPublished(_logger, identity.UserId.ToString(), seq, result.Stored, json.Length);
        return result;
    }

    /// <summary>The next seq for <paramref name="identity"/>: above what the DHT holds and what this node last used.</summary>
    public async Task<long> NextSeqAsync(UserIdentity identity, long? lastUsed, CancellationToken cancellationToken)
    {
        var current = await Dht.GetMutableAsync(identity.UserId, null, cancellationToken).ConfigureAwait(false);
        var previous = Math.Max(lastUsed ?? 0, current?.Sequence ?? 0);
        return ProfileBuilder.NextSeq(previous == 0 ? null : previous, Options.TimeProvider);
    }

    /// <summary>
    /// The profile of <paramref name="userId"/> with the highest valid seq the DHT holds, its manifest fetched and
    /// checked by infohash; null when no valid item is found. Throws <see cref="GitTorrentException"/> when the item
    /// is not a profile or its manifest cannot be had.
    /// </summary>
    public async Task<SignedProfile?> GetProfileAsync(Hash20 userId, CancellationToken cancellationToken)
    {
        var item = await Dht.GetMutableAsync(userId, null, cancellationToken).ConfigureAwait(false);
        if (item is null || item.Target != userId)
        {
            return null;
        }
        if (!BencodeReader.TryDecode(item.Value, out var decoded, out _) || decoded is not BString text)
        {
            throw new GitTorrentException($"the item of user {userId} is not a profile (v is not a byte string)");
        }
        if (!UserProfile.TryParse(text.Span, out var profile, out var error))
        {
            throw new GitTorrentException($"the profile of user {userId} is not valid: {error}");
        }
        if (profile.Manifest is { } manifest)
        {
            var full = await DownloadManifestAsync(manifest, cancellationToken).ConfigureAwait(false);
            if (!UserProfile.TryParse(full, out var expanded, out error))
            {
                throw new GitTorrentException($"the profile manifest {manifest} of user {userId} is not valid: {error}");
            }
            expanded.Manifest = manifest;
            profile = expanded;
            await ReplaceManifestAsync(userId, manifest).ConfigureAwait(false);
        }
        return new SignedProfile(userId, profile, item.Sequence, item.PublicKey, item.Signature, item.Value);
    }

    private async Task<Hash20> SeedManifestAsync(byte[] json, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Options.StateDirectory, "profiles");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Hash20.Sha1(json) + ".json");
        if (!File.Exists(path))
        {
            await File.WriteAllBytesAsync(path + ".tmp", json, cancellationToken).ConfigureAwait(false);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        var metainfo = await TorrentMetainfo.CreateAsync(path, "profile.json", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!Torrents.Contains(metainfo.InfoHash))
        {
            await Torrents.AddSeedAsync(metainfo, path, new AnnounceAs(Dht, AnnouncePort), cancellationToken).ConfigureAwait(false);
        }
        _manifestPaths[metainfo.InfoHash] = path;
        return metainfo.InfoHash;
    }

    private async Task<byte[]> DownloadManifestAsync(Hash20 manifest, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Options.StateDirectory, "profiles");
        Directory.CreateDirectory(folder);
        if (_manifestPaths.TryGetValue(manifest, out var known) && File.Exists(known)
            && Torrents.GetProgress(manifest) is { IsComplete: true })
        {
            return await File.ReadAllBytesAsync(known, cancellationToken).ConfigureAwait(false);
        }
        var path = Path.Combine(folder, "manifest-" + manifest + ".json");
        await Torrents.RemoveAsync(manifest, CancellationToken.None).ConfigureAwait(false);
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.FetchTimeout);
            var tooLarge = false;
            var guard = new Progress<DownloadProgress>(p =>
            {
                if (p.HasMetadata && p.TotalBytes > MaxManifestBytes)
                {
                    tooLarge = true;
                    timeout.Cancel();
                }
            });
            try
            {
                await Torrents.DownloadAsync(manifest, path, new CompositePeerDiscovery(new StaticPeerDiscovery(Options.ExtraPeers), Dht),
                    guard, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await Torrents.RemoveAsync(manifest, CancellationToken.None).ConfigureAwait(false);
                throw new GitTorrentException(tooLarge
                    ? $"profile manifest {manifest} is larger than {MaxManifestBytes} bytes"
                    : $"profile manifest {manifest} could not be downloaded within {Options.FetchTimeout.TotalSeconds:0} s");
            }
        }
        _manifestPaths[manifest] = path;
        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the profile of {UserId} at seq {Seq} to {Nodes} nodes ({Bytes} bytes of JSON)")]
    private static partial void LogPublished(ILogger logger, string userId, long seq, int nodes, int bytes);
}
