using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Git;

/// <summary>
/// Builds the pack a client needs for one wanted commit, given the commits it already has, with the
/// real <c>git pack-objects</c>. The pack is thin (deltas may refer to objects the client has), so the
/// client indexes it with <c>git index-pack --fix-thin</c>. One thread: two seeders holding the same objects
/// build byte-identical packs, hence the same infohash, so a client can download from both at once.
/// </summary>
public static class PackBuilder
{
    /// <summary>
    /// Writes the pack for <paramref name="want"/> minus everything reachable from the known
    /// <paramref name="haves"/> to <paramref name="output"/>. Haves this repository does not know are
    /// ignored (the client may have commits from elsewhere). Annotated tags of commits in the pack come along (as
    /// git's upload-pack does with include-tag), so a clone needs no origin for them.
    /// </summary>
    /// <exception cref="GitTorrentException">The repository has no commit <paramref name="want"/>.</exception>
    public static Task BuildAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> haves, Stream output,
        CancellationToken cancellationToken) => BuildAsync(repositoryPath, want, [], haves, output, cancellationToken);

    /// <summary>
    /// The same for several wanted commits in one pack: <paramref name="want"/> and those of <paramref name="moreWants"/>
    /// that are commits here (others are left out; the client asks elsewhere). The wants are sorted, so the same set
    /// gives the same pack whatever order it was asked in.
    /// </summary>
    public static async Task BuildAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> moreWants,
        IReadOnlyCollection<Hash20> haves, Stream output, CancellationToken cancellationToken)
    {
        var request = await ResolveAsync(repositoryPath, want, moreWants, haves, cancellationToken).ConfigureAwait(false);
        await BuildAsync(repositoryPath, request, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What a request asks of this repository: <paramref name="want"/>, those of <paramref name="moreWants"/> that are
    /// commits here and the first <see cref="GitTorrentMessage.MaxHaves"/> haves that are objects here, each sorted; in one git call (this
    /// runs once per request, and a clone of many branches asks for many). Haves the repository lacks change nothing in
    /// the pack, so they are dropped here, before a cache key is made of the request.
    /// </summary>
    /// <exception cref="GitTorrentException">The repository has no commit <paramref name="want"/>.</exception>
    public static async Task<PackRequest> ResolveAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> moreWants,
        IReadOnlyCollection<Hash20> haves, CancellationToken cancellationToken)
    {
        var usedHaves = haves.Take(GitTorrentMessage.MaxHaves).Where(h => h != want).ToHashSet();
        var extra = moreWants.Where(w => w != want && !usedHaves.Contains(w)).ToHashSet();
        var types = await GitRefs.ObjectTypesAsync(repositoryPath, [want, .. extra, .. usedHaves], cancellationToken)
            .ConfigureAwait(false);
        if (!types.TryGetValue(want, out var type) || type != "commit")
        {
            throw new GitTorrentException($"This repository has no commit {want}.");
        }
        return new PackRequest(want, [.. extra.Where(w => types.TryGetValue(w, out var t) && t == "commit").Order()],
            [.. usedHaves.Where(types.ContainsKey).Order()]);
    }

    /// <summary>Writes the pack of a resolved request to <paramref name="output"/> with <c>git pack-objects</c>.</summary>
    public static async Task BuildAsync(string repositoryPath, PackRequest request, Stream output, CancellationToken cancellationToken)
    {
        var wants = request.MoreWants.Append(request.Want).Order();
        var revisions = string.Concat(wants.Select(w => w + "\n")) + string.Concat(request.Haves.Select(h => "^" + h + "\n"));
        await GitRunner.RunToStreamAsync(repositoryPath,
            ["pack-objects", "--revs", "--thin", "--delta-base-offset", "--include-tag", "--threads=1", "--stdout", "-q"],
            output, cancellationToken, standardInput: revisions).ConfigureAwait(false);
    }
}
