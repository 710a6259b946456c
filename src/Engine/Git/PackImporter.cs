namespace GitTorrent.Engine.Git;

/// <summary>
/// Imports a pack received from an untrusted peer: indexes it into a quarantine object directory
/// (the repository's objects as alternates), checks that the wanted commit is complete, and only
/// then moves the pack into the repository. A pack that fails is discarded and leaves nothing behind.
/// </summary>
public static class PackImporter
{
    private static long s_fsckRefusals;

    /// <summary>Packs refused in this process because an object failed git's fsck checks.</summary>
    public static long FsckRefusals => Interlocked.Read(ref s_fsckRefusals);

    public static async Task<PackImportResult> ImportAsync(string gitDirectory, Stream pack, Hash20 want,
        IReadOnlyCollection<Hash20> completeHaves, CancellationToken cancellationToken)
    {
        var objects = Path.Combine(gitDirectory, "objects");
        if (!Directory.Exists(objects))
        {
            throw new GitTorrentException($"'{gitDirectory}' is not a git directory (no objects folder).");
        }
        var quarantine = Path.Combine(objects, "incoming-gittorrent-" + Guid.NewGuid().ToString("N"));
        var quarantinePack = Path.Combine(quarantine, "pack");
        Directory.CreateDirectory(quarantinePack);
        var environment = new Dictionary<string, string>
        {
            ["GIT_OBJECT_DIRECTORY"] = quarantine,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = objects,
        };
        var counting = new CountingStream(pack);
        try
        {
            // A full pack (no haves) must be self-contained and connected: index-pack checks every link while it
            // indexes, which spares a second walk of the whole history with rev-list (git runs its own afterwards).
            // A thin pack (haves sent) is checked with --strict: every object any of its objects names must exist, in
            // the pack or in the repository, whose objects came in packs checked the same way. That proves the wanted
            // commit complete without walking the history down to the haves (a walk per pack made a clone of many
            // branches spend most of its time verifying).
            // Objects are checked as git's fetch checks them (FetchFsckSettings: fetch.fsckObjects, transfer.fsckObjects,
            // fetch.fsck.*), on unless the user turned them off; a thin pack is always read with --strict, which is how
            // its completeness is proven, with the user's message levels.
            var full = completeHaves.Count == 0;
            var fsck = await FetchFsckSettings.ReadAsync(gitDirectory, cancellationToken).ConfigureAwait(false);
            List<string> arguments = ["index-pack", "--stdin", "--fix-thin"];
            if (!full || fsck.CheckObjects)
            {
                arguments.Add(fsck.StrictArgument);
            }
            if (full)
            {
                arguments.Add("--check-self-contained-and-connected");
            }
            try
            {
                await GitRunner.RunToStreamAsync(gitDirectory, arguments, Stream.Null, cancellationToken, binaryInput: counting,
                    environment: environment).ConfigureAwait(false);
            }
            catch (GitCommandException e)
            {
                var detail = e.StandardError.Trim();
                if (detail.Contains("fsck error", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref s_fsckRefusals);
                    return PackImportResult.Failed("the pack holds objects git's fsck refuses (fetch.fsckObjects): " + detail,
                        counting.BytesRead);
                }
                return PackImportResult.Failed(detail.Contains("did not receive expected object", StringComparison.Ordinal)
                    ? $"the pack does not contain commit {want} with all its objects: {detail}"
                    : "the pack is corrupt: " + detail, counting.BytesRead);
            }
            // Connected; it must also hold the wanted commit itself (a full pack checked without the repository's own
            // objects; a thin one may name a commit the repository had, but then the caller would not have asked).
            var type = await GitRunner.RunCapturedAsync(gitDirectory, ["cat-file", "-t", want.ToString()], cancellationToken,
                environment: full ? new Dictionary<string, string> { ["GIT_OBJECT_DIRECTORY"] = quarantine, ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = "" }
                    : environment)
                .ConfigureAwait(false);
            if (type.ExitCode != 0 || type.StandardOutput.Trim() != "commit")
            {
                return PackImportResult.Failed($"the pack does not contain commit {want}", counting.BytesRead);
            }
            string? keep = null;
            foreach (var file in Directory.EnumerateFiles(quarantinePack).OrderBy(f => f.EndsWith(".idx", StringComparison.Ordinal)))
            {
                var target = Path.Combine(objects, "pack", Path.GetFileName(file));
                if (full && keep is null && target.EndsWith(".pack", StringComparison.Ordinal))
                {
                    // Held with a .keep until the caller decides (git removes it when told "lock <file>").
                    keep = Path.ChangeExtension(target, ".keep");
                    await File.WriteAllTextAsync(keep, "gittorrent: connected pack\n", cancellationToken).ConfigureAwait(false);
                }
                // Move .pack before .idx so a concurrent reader never sees an index without its pack.
                File.Move(file, target, overwrite: true);
            }
            return new PackImportResult(true, null, counting.BytesRead) { KeepFile = keep };
        }
        finally
        {
            TryDelete(quarantine);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for git gc; it is outside every pack index.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
