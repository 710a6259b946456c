namespace GitTorrent.Engine.Git;

/// <summary>
/// Imports a pack received from an untrusted peer: indexes it into a quarantine object directory
/// (the repository's objects as alternates), checks that the wanted commit is complete, and only
/// then moves the pack into the repository. A pack that fails is discarded and leaves nothing behind.
/// </summary>
public static class PackImporter
{
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
            try
            {
                await GitRunner.RunToStreamAsync(gitDirectory, ["index-pack", "--stdin", "--fix-thin"], Stream.Null,
                    cancellationToken, binaryInput: counting, environment: environment).ConfigureAwait(false);
            }
            catch (GitCommandException e)
            {
                return PackImportResult.Failed("the pack is corrupt: " + e.StandardError.Trim(), counting.BytesRead);
            }
            string[] check = ["rev-list", "--objects", "--quiet", want.ToString(), .. completeHaves.Any()
                ? ["--not", .. completeHaves.Select(h => h.ToString())] : Array.Empty<string>()];
            var verify = await GitRunner.RunCapturedAsync(gitDirectory, check, cancellationToken, environment: environment)
                .ConfigureAwait(false);
            if (verify.ExitCode != 0)
            {
                return PackImportResult.Failed($"the pack does not contain commit {want} with all its objects: "
                    + verify.StandardError.Trim(), counting.BytesRead);
            }
            foreach (var file in Directory.EnumerateFiles(quarantinePack).OrderBy(f => f.EndsWith(".idx", StringComparison.Ordinal)))
            {
                // Move .pack before .idx so a concurrent reader never sees an index without its pack.
                File.Move(file, Path.Combine(objects, "pack", Path.GetFileName(file)), overwrite: true);
            }
            return new PackImportResult(true, null, counting.BytesRead);
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
