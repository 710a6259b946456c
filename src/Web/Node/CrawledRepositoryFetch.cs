using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;

namespace GitTorrent.Web.Node;

/// <summary>
/// Brings one crawled repository into a git directory with the Engine's fetch routine (the one the remote helper uses:
/// the same tips in the same order with the same haves, so a seeder serves both from one cached pack), then writes its
/// refs as the profile lists them. The key-form rules apply: no origin, so a repository nobody serves fails with the
/// reason. Refs git will not write (a name it refuses, a branch beside one of the same name as a folder) are reported,
/// not thrown: the others are written.
/// </summary>
public sealed class CrawledRepositoryFetch(ISwarmFetcher swarm, TipFetchOptions options)
{
    /// <summary>The tips of a profile's refs (name to 40-hex commit); entries that are not an id are left out.</summary>
    public static List<FetchTip> TipsOf(IReadOnlyDictionary<string, string> refs)
    {
        ArgumentNullException.ThrowIfNull(refs);
        return [.. refs.Where(r => Hash20.IsLowerHex40(r.Value)).Select(r => new FetchTip(r.Key, Hash20.Parse(r.Value)))];
    }

    /// <summary>
    /// Fetches the objects of <paramref name="refs"/> into <paramref name="gitDirectory"/> and, when they all arrived,
    /// points its refs (and HEAD, at <paramref name="head"/>) as listed, removing refs the profile no longer lists.
    /// </summary>
    public async Task<CrawledFetchResult> FetchAsync(string gitDirectory, string? head, IReadOnlyDictionary<string, string> refs,
        IProgress<FetchReport>? progress, CancellationToken cancellationToken) =>
        await FetchAsync(gitDirectory, head, refs, null, progress, cancellationToken).ConfigureAwait(false);

    /// <summary>The same, asking <paramref name="reservePackSpace"/> (a quota) before each pack is stored.</summary>
    public async Task<CrawledFetchResult> FetchAsync(string gitDirectory, string? head, IReadOnlyDictionary<string, string> refs,
        Func<long, IDisposable?>? reservePackSpace, IProgress<FetchReport>? progress, CancellationToken cancellationToken)
    {
        var fetchOptions = reservePackSpace is null ? options : options with { ReservePackSpace = reservePackSpace };
        var fetched = await new TipFetcher(swarm, origin: null).FetchAsync(gitDirectory, TipsOf(refs), head, fetchOptions, progress, cancellationToken)
            .ConfigureAwait(false);
        foreach (var keep in fetched.KeepFiles)
        {
            TryDelete(keep); // nobody repacks the store while we write refs; the packs are complete
        }
        if (!fetched.Outcome.Success)
        {
            return new CrawledFetchResult(false, fetched.Outcome.Error, fetched.Outcome.SwarmPacks, []);
        }
        var refErrors = await WriteRefsAsync(gitDirectory, head, refs, cancellationToken).ConfigureAwait(false);
        return new CrawledFetchResult(true, null, fetched.Outcome.SwarmPacks, refErrors);
    }

    /// <summary>Points every listed ref at its commit, one by one; returns why a ref could not be written, for each that could not.</summary>
    public static async Task<IReadOnlyList<string>> WriteRefsAsync(string gitDirectory, string? head, IReadOnlyDictionary<string, string> refs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refs);
        var errors = new List<string>();
        var local = await GitRefs.ReadAsync(gitDirectory, cancellationToken).ConfigureAwait(false);
        foreach (var stale in local.Keys.Where(r => r != "HEAD" && !refs.ContainsKey(r)))
        {
            await RunAsync(["update-ref", "-d", stale], stale).ConfigureAwait(false);
        }
        foreach (var (name, target) in refs.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (name == "HEAD" || (local.TryGetValue(name, out var current) && current.ToString() == target))
            {
                continue;
            }
            if (!Engine.Profiles.UserProfile.IsValidRefName(name) || !Hash20.IsLowerHex40(target))
            {
                errors.Add($"{RemoteText.Printable(name)}: not a ref name and commit git accepts");
                continue;
            }
            await RunAsync(["update-ref", name, target], name).ConfigureAwait(false);
        }
        if (head is not null && refs.ContainsKey(head) && Engine.Profiles.UserProfile.IsValidRefName(head))
        {
            await RunAsync(["symbolic-ref", "HEAD", head], "HEAD").ConfigureAwait(false);
        }
        return errors;

        async Task RunAsync(string[] arguments, string name)
        {
            var result = await GitRunner.RunCapturedAsync(gitDirectory, arguments, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                var reason = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .LastOrDefault() ?? $"exit code {result.ExitCode}";
                errors.Add($"{RemoteText.Printable(name)}: {RemoteText.Printable(reason)}");
            }
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Left behind: it only keeps that pack from being repacked.
        }
    }
}
