using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// <c>fetch</c>: the wanted tips through the Engine's <see cref="TipFetcher"/> (the portal uses the same routine, so both
/// send the same requests), with the origin for what the swarm cannot serve in the host form.
/// </summary>
public sealed partial class GitTorrentRemote
{
    public async Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<FetchRequest> wants, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wants);
        var tips = wants.Select(w => new FetchTip(w.RefName, Hash20.Parse(w.Sha),
            _originRefs?.Peeled.TryGetValue(w.RefName, out var peeled) == true ? Hash20.Parse(peeled) : Hash20.Parse(w.Sha))).ToList();
        var origin = url.Kind == GitTorrentUrlKind.Host
            ? _origin ??= new OriginClient(url.OriginUrl(settings.OriginScheme), gitDirectory, progress)
            : null;
        var result = await new TipFetcher(swarm, origin).FetchAsync(gitDirectory, tips, _headRef, settings.Fetch, progress, cancellationToken)
            .ConfigureAwait(false);
        if (!result.Outcome.Success)
        {
            throw new GitTorrentException(result.Outcome.Error ?? "the fetch failed");
        }
        // git removes the one pack it is told is locked, and with connectivity-ok skips walking the history again
        // (only on clone, when it asked for check-connectivity); the other .keep files are ours to remove. Every pack
        // was verified on import (a full one self-contained and connected, a thin one complete down to haves that
        // were), and the origin's was checked self-contained and connected by git.
        if (result.KeepFiles.Count == 0)
        {
            return [];
        }
        foreach (var extra in result.KeepFiles.Skip(1))
        {
            TryDelete(extra);
        }
        return _checkConnectivity && result.Connected
            ? ["lock " + result.KeepFiles[0], "connectivity-ok"]
            : ["lock " + result.KeepFiles[0]];
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Left behind: git only keeps that pack from being repacked.
        }
    }
}
