using GitTorrent.Web.Forks;
using GitTorrent.Web.Provenance;
using GitTorrent.Web.Issues;
using GitTorrent.Web.Services;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// <c>GET /api/repos/{nameOrId}/{repo}</c> (INTERFACES.md): the repository as published (owner, name, default branch,
/// the refs of the signed profile), its provenance as far as the portal knows it, its forks and its issue counts.
/// The origin fields come from the last origin check (null before the first, or when the repository has no origin);
/// <c>originError</c> (ours) says why an unreachable origin failed; <c>bytesFetched.origin</c> (ours) is what the portal
/// fetched from the origin. Byte counts are totals over all replicas, as last sampled.
/// </summary>
public static class RepositoryApi
{
    public static async Task<IResult> GetAsync(string nameOrId, string repo, RepositoryContextResolver resolver, ForkIndex forks,
        IssueIndex issues, ProvenanceReader provenanceReader, CancellationToken cancellationToken)
    {
        if (await resolver.ResolveAsync(nameOrId, repo, cancellationToken) is not { Action: RepositoryAction.Home } context)
        {
            return Results.NotFound(new { error = "unknown repository" });
        }
        var published = context.Repository.Refs.Where(r => r.Key != "HEAD").ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        bool? storeMatches = null;
        object? issueCounts = null;
        if (context is { StorePath: { } path })
        {
            var stored = context.Refs.ToDictionary(r => r.FullName, r => r.CommitId, StringComparer.Ordinal);
            storeMatches = published.All(r => stored.TryGetValue(r.Key, out var target) && target == r.Value);
            var snapshot = context.Ref is { } head ? await issues.SnapshotAsync(path, head.CommitId, cancellationToken) : IssueSnapshot.Empty;
            issueCounts = new { open = snapshot.Open.Count, closed = snapshot.Closed.Count };
        }
        var provenance = await provenanceReader.ReadAsync(context.Owner.UserId, context.Repository.Name, cancellationToken);
        var headRef = context.Repository.Head;
        return Results.Json(new
        {
            owner = context.Owner.UserId,
            name = context.Repository.Name,
            defaultBranch = context.DefaultBranch ?? (headRef is not null && headRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? headRef[11..] : null),
            refs = published,
            provenance = new
            {
                signedSeq = context.Owner.Seq,
                storeMatchesProfile = storeMatches,
                origin = provenance.Origin,
                originAgrees = provenance.OriginAgrees,
                originDiffers = provenance.Check is null ? null : provenance.OriginDiffers,
                originCheckedAt = provenance.Check?.CheckedAt,
                originError = provenance.Check?.Error,
                seeders = provenance.Seeders,
                seedersCheckedAt = provenance.SeedersCheckedAt,
            },
            forks = (await forks.ForksAsync(context.Owner.UserId, context.Repository.Name, cancellationToken))
                .Select(f => new { owner = f.OwnerId, name = f.Name }),
            issues = issueCounts,
            bytesServed = new { swarm = provenance.Traffic.Swarm, http = provenance.Traffic.Http },
            bytesFetched = new { origin = provenance.Traffic.Origin },
        });
    }
}
