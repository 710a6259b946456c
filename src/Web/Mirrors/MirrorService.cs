using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Data.Entities;
using GitTorrent.Engine.Git;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Services;
using GitTorrent.Web.Node;
using GitTorrent.Web.Traffic;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Mirrors;

/// <summary>
/// Org mirrors: adds them, lists them and syncs one (<c>git clone --mirror</c> the first time, then
/// <c>git remote update --prune</c>) into the store under the portal's own user id; records the outcome and
/// raises "repository updated" for the engine.
/// </summary>
public sealed partial class MirrorService(
    IDbContextFactory<GitTorrentDbContext> factory,
    RepositoryStore store,
    PortalIdentity identity,
    PortalProfileWriter profileWriter,
    GitRepositoryPool pool,
    GitBrowser browser,
    UserDirectory directory,
    PortalNotifications notifications,
    JobRunner jobs,
    TrafficMeter traffic,
    TimeProvider time,
    ILogger<MirrorService> logger)
{
    public static readonly TimeSpan SyncTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Only http(s) transports: an origin URL must never reach ext::, file:// or ssh.</summary>
    public static IReadOnlyList<string> SafeTransport { get; } =
        ["-c", "protocol.allow=never", "-c", "protocol.http.allow=always", "-c", "protocol.https.allow=always"];

    private readonly SemaphoreSlim syncGate = new(1, 1);

    public async Task<MirrorAddResult> AddAsync(string originUrl, string? name, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(originUrl?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return new(null, "The origin must be an http:// or https:// git URL without credentials.");
        }

        name = string.IsNullOrWhiteSpace(name) ? DefaultName(uri) : name.Trim();
        if (name is null || !RepositoryScanner.IsValidName(name) || name.Contains('/', StringComparison.Ordinal))
        {
            return new(null, $"'{name}' is not a usable repository name: letters, digits, '.', '_' and '-', not starting with '.'.");
        }

        if (interval < MirrorInterval.Minimum || interval > MirrorInterval.Maximum)
        {
            return new(null, "The interval must be between 1 second and 30 days.");
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (await db.Mirrors.AnyAsync(m => m.Name == name, cancellationToken))
        {
            return new(null, $"A mirror named '{name}' already exists.");
        }

        var mirror = new Mirror { Name = name, OriginUrl = uri.AbsoluteUri, SyncInterval = interval, CreatedAt = time.GetUtcNow() };
        db.Mirrors.Add(mirror);
        await db.SaveChangesAsync(cancellationToken);
        LogAdded(name, uri.AbsoluteUri);
        await RequestSyncAsync(mirror.Id, cancellationToken);
        return new(mirror, null);
    }

    public async Task<IReadOnlyList<Mirror>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Mirrors.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken);
    }

    public async Task<Mirror?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Mirrors.AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
    }

    public async Task<Mirror?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Mirrors.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
    }

    /// <summary>Makes the mirror's sync job due now; the replica that claims it first syncs it (this one if it is idle).</summary>
    public async Task RequestSyncAsync(long mirrorId, CancellationToken cancellationToken)
    {
        await jobs.Store.RequestNowAsync(JobKinds.MirrorSync, MirrorSyncService.Key(mirrorId), null, cancellationToken);
        jobs.Wake(JobKinds.MirrorSync);
    }

    /// <summary>
    /// Fills this replica's copy of a mirror straight from its origin, without recording a sync (the fallback when no
    /// sibling replica serves it over the swarm); false when there is no such mirror or the fetch failed.
    /// </summary>
    public async Task<bool> FetchFromOriginAsync(string name, CancellationToken cancellationToken)
    {
        if (await FindAsync(name, cancellationToken) is not { } mirror || store.PathOf(identity.UserId, name) is not { } path)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SyncTimeout);
        try
        {
            traffic.Add(identity.UserId, name, TrafficKind.Origin, await FetchAsync(mirror.OriginUrl, path, timeout.Token));
        }
        catch (GitCommandException e)
        {
            LogSyncFailed(name, Trim(e.Message));
            return false;
        }

        pool.Invalidate(path);
        browser.Invalidate(path);
        return true;
    }

    /// <summary>Syncs one mirror now; returns null on success or the error recorded.</summary>
    public async Task<string?> SyncAsync(long mirrorId, CancellationToken cancellationToken)
    {
        await syncGate.WaitAsync(cancellationToken);
        try
        {
            return await SyncCoreAsync(mirrorId, cancellationToken);
        }
        finally
        {
            syncGate.Release();
        }
    }

    /// <summary>Bytes served over HTTP from a mirror (counted by the smart-HTTP endpoint).</summary>
    public async Task AddBytesServedAsync(string name, long bytes, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Mirrors.Where(m => m.Name == name)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.BytesServed, m => m.BytesServed + bytes), cancellationToken);
    }

    private async Task<string?> SyncCoreAsync(long mirrorId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var mirror = await db.Mirrors.SingleOrDefaultAsync(m => m.Id == mirrorId, cancellationToken);
        if (mirror is null)
        {
            return "no such mirror";
        }

        var userId = identity.UserId;
        var path = store.PathOf(userId, mirror.Name)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SyncTimeout);
        string? error = null;
        try
        {
            traffic.Add(userId, mirror.Name, TrafficKind.Origin, await FetchAsync(mirror.OriginUrl, path, timeout.Token));
        }
        catch (GitCommandException e)
        {
            error = Trim(e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"timed out after {SyncTimeout}";
        }

        mirror.LastSync = time.GetUtcNow();
        mirror.LastError = error;
        await db.SaveChangesAsync(cancellationToken);
        // Compare with the origin again now rather than one check interval later (the replica that claims it does).
        await jobs.Store.RequestNowAsync(JobKinds.OriginCheck, MirrorSyncService.Key(mirrorId), null, cancellationToken);
        jobs.Wake(JobKinds.OriginCheck);
        if (error is not null)
        {
            LogSyncFailed(mirror.Name, error);
            return error;
        }

        pool.Invalidate(path);
        browser.Invalidate(path);
        await profileWriter.WriteAsync(mirror.Name, cancellationToken);
        directory.Invalidate(userId);
        var refs = await GitRefs.ReadAsync(path, cancellationToken);
        LogSynced(mirror.Name, refs.Count);
        await notifications.PublishRepositoryUpdatedAsync(
            new RepositoryUpdated(userId, mirror.Name, path, refs.ToDictionary(r => r.Key, r => r.Value.ToString(), StringComparer.Ordinal)),
            cancellationToken);
        return null;
    }

    /// <summary>
    /// Fetches (or first clones) the origin into <paramref name="path"/>; returns the pack bytes received from it. Every
    /// fetch keeps what it received as a pack (<c>fetch.unpackLimit=1</c>) and gc waits until it is measured, so the
    /// new pack files are exactly what came from the origin (after <c>index-pack --fix-thin</c>).
    /// </summary>
    private static async Task<long> FetchAsync(string originUrl, string path, CancellationToken cancellationToken)
    {
        var safety = SafeTransport;
        if (RepositoryScanner.IsGitDirectory(path))
        {
            // Set as a mirror remote whether or not it exists: a copy that came from a sibling replica over the swarm has none.
            await GitRunner.RunAsync(path, ["config", "remote.origin.url", originUrl], cancellationToken);
            await GitRunner.RunAsync(path, ["config", "remote.origin.fetch", "+refs/*:refs/*"], cancellationToken);
            await GitRunner.RunAsync(path, ["config", "remote.origin.mirror", "true"], cancellationToken);
            var before = PackFiles(path).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            await GitRunner.RunAsync(path, [.. safety, "-c", "fetch.unpackLimit=1", "-c", "gc.auto=0", "-c", "maintenance.auto=false",
                "remote", "update", "--prune"], cancellationToken);
            var received = PackFiles(path).Where(f => !before.Contains(f.Name)).Sum(f => f.Length);
            await GitRunner.RunAsync(path, ["gc", "--auto", "--quiet"], cancellationToken);
            return received;
        }

        var parent = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, ".incoming-" + Guid.NewGuid().ToString("N"));
        try
        {
            await GitRunner.RunAsync(parent, [.. safety, "clone", "--mirror", "--quiet", originUrl, temporary], cancellationToken);
            var received = PackFiles(temporary).Sum(f => f.Length);
            Directory.Move(temporary, path);
            return received;
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    private static IEnumerable<FileInfo> PackFiles(string repository)
    {
        var folder = new DirectoryInfo(Path.Combine(repository, "objects", "pack"));
        return folder.Exists ? folder.EnumerateFiles("*.pack") : [];
    }

    private static string? DefaultName(Uri uri)
    {
        var last = uri.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault();
        if (string.IsNullOrEmpty(last))
        {
            return null;
        }

        return last.EndsWith(".git", StringComparison.Ordinal) ? last[..^4] : last;
    }

    private static string Trim(string message) => message.Length <= 1900 ? message : message[..1900];

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror {Name} added from {Origin}")]
    private partial void LogAdded(string name, string origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror {Name} synced: {RefCount} refs")]
    private partial void LogSynced(string name, int refCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror {Name} failed to sync: {Error}")]
    private partial void LogSyncFailed(string name, string error);
}
