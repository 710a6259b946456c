using GitTorrent.Engine;
using GitTorrent.Engine.Git;

namespace GitTorrent.Cli.Remote;

/// <summary><c>push</c>: into the bare repository the local daemon serves (key form, own id only), then re-publish.</summary>
public sealed partial class GitTorrentRemote
{
    /// <summary>Why a push to a host-form URL is refused, and what to push to instead.</summary>
    public const string HostFormPushRefused = "cannot push to a host-form URL; push to gittorrent://<your user id>/<repo>";

    public async Task<IReadOnlyList<PushResult>> PushAsync(IReadOnlyList<PushRequest> refspecs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refspecs);
        if (url.Kind == GitTorrentUrlKind.Host)
        {
            return [.. refspecs.Select(r => new PushResult(r.Destination, HostFormPushRefused))];
        }
        var userId = await ResolveUserAsync(cancellationToken).ConfigureAwait(false);
        if (settings.OwnUserId is not { } own)
        {
            return [.. refspecs.Select(r => new PushResult(r.Destination, "no identity: run 'gittorrent keygen' first"))];
        }
        if (own != userId)
        {
            return [.. refspecs.Select(r => new PushResult(r.Destination,
                $"{userId} is not your user id ({own}); you can only push to your own repositories"))];
        }
        var store = settings.StorePath(url.Repository);
        if (!Directory.Exists(store))
        {
            Directory.CreateDirectory(store);
            await GitRunner.RunAsync(store, ["init", "--quiet", "--bare"], cancellationToken).ConfigureAwait(false);
        }
        var results = await LocalStore.PushAsync(gitDirectory, store, refspecs, cancellationToken).ConfigureAwait(false);
        await LocalStore.PointHeadAtABranchAsync(store, refspecs.Select(r => r.Destination), cancellationToken).ConfigureAwait(false);
        if (results.Any(r => r.Error is null) && publisher is not null)
        {
            await publisher.PublishAsync(url.Repository, cancellationToken).ConfigureAwait(false);
            progress.Info($"Published {url} (profile re-signed, tips announced)");
        }
        return results;
    }
}
