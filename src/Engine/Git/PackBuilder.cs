namespace GitTorrent.Engine.Git;

/// <summary>
/// Builds the pack a client needs for one wanted commit, given the commits it already has, with the
/// real <c>git pack-objects</c>. The pack is thin (deltas may refer to objects the client has), so the
/// client indexes it with <c>git index-pack --fix-thin</c>. One thread: two seeders holding the same objects
/// build byte-identical packs, hence the same infohash, so a client can download from both at once.
/// </summary>
public static class PackBuilder
{
    /// <summary>At most this many haves are used (PROTOCOL.md section 4).</summary>
    public const int MaxHaves = 256;

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
        // One lookup for the wants and the haves: this runs once per pack, and a clone of many branches asks for many.
        var usedHaves = haves.Take(MaxHaves).Where(h => h != want).ToHashSet();
        var extra = moreWants.Where(w => w != want && !usedHaves.Contains(w)).ToHashSet();
        var types = await GitRefs.ObjectTypesAsync(repositoryPath, [want, .. extra, .. usedHaves], cancellationToken)
            .ConfigureAwait(false);
        if (!types.TryGetValue(want, out var type) || type != "commit")
        {
            throw new GitTorrentException($"This repository has no commit {want}.");
        }
        var wants = extra.Where(w => types.TryGetValue(w, out var t) && t == "commit").Append(want).Order();
        var known = usedHaves.Where(types.ContainsKey).Order();
        var revisions = string.Concat(wants.Select(w => w + "\n")) + string.Concat(known.Select(h => "^" + h + "\n"));
        await GitRunner.RunToStreamAsync(repositoryPath,
            ["pack-objects", "--revs", "--thin", "--delta-base-offset", "--include-tag", "--threads=1", "--stdout", "-q"],
            output, cancellationToken, standardInput: revisions).ConfigureAwait(false);
    }
}
