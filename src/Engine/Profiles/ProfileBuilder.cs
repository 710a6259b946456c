using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Profiles;

/// <summary>Builds the profile a seeder publishes from the repositories it serves (docs/PROTOCOL.md section 3).</summary>
public static class ProfileBuilder
{
    /// <summary>
    /// A profile listing every repository in <paramref name="repositories"/> with its HEAD, branches and
    /// tags. Empty repositories (no commit yet) are listed without refs.
    /// </summary>
    public static async Task<UserProfile> BuildAsync(IEnumerable<ServedRepository> repositories, string? name, string? email,
        CancellationToken cancellationToken)
    {
        var profile = new UserProfile { Name = name, Email = email };
        foreach (var repository in repositories)
        {
            var refs = await GitRefs.ReadAsync(repository.Path, cancellationToken).ConfigureAwait(false);
            profile.Repositories[repository.Name] = new SortedDictionary<string, Hash20>(
                refs.ToDictionary(r => r.Key, r => r.Value), StringComparer.Ordinal);
        }
        return profile;
    }

    /// <summary>
    /// The next sequence number: strictly above <paramref name="previous"/> and at least the current Unix
    /// time in seconds, so restarts without state still move forward (docs/PROTOCOL.md: a counter or Unix seconds).
    /// </summary>
    public static long NextSeq(long? previous, TimeProvider time) =>
        Math.Max((previous ?? 0) + 1, time.GetUtcNow().ToUnixTimeSeconds());
}
