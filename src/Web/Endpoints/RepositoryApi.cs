using GitTorrent.Data;
using GitTorrent.Web.Forks;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Issues;
using GitTorrent.Web.Services;
using GitTorrent.Web.Swarm;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// <c>GET /api/repos/{nameOrId}/{repo}</c> (INTERFACES.md): the repository as published (owner, name, default branch,
/// the refs of the signed profile), its provenance as far as the portal knows it, its forks and its issue counts.
/// Fields the portal does not measure yet are null, as the interface allows: origin comparison times, the origin's
/// differing refs and bytes served per repository.
/// </summary>
public static class RepositoryApi
{
    public static async Task<IResult> GetAsync(string nameOrId, string repo, RepositoryContextResolver resolver, ForkIndex forks,
        IssueIndex issues, ISwarmStatus swarm, PortalIdentity portal, IDbContextFactory<GitTorrentDbContext> contexts,
        CancellationToken cancellationToken)
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
        string? origin = null;
        if (context.Owner.UserId == portal.UserId)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            origin = await db.Mirrors.AsNoTracking().Where(m => m.Name == context.Repository.Name).Select(m => m.OriginUrl)
                .SingleOrDefaultAsync(cancellationToken);
        }
        var info = swarm.GetRepository(context.Owner.UserId, context.Repository.Name);
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
                origin,
                originAgrees = info.OriginAgrees,
                originDiffers = (string[]?)null,
                originCheckedAt = (DateTimeOffset?)null,
                seeders = info.Seeders,
                seedersCheckedAt = (DateTimeOffset?)null,
            },
            forks = (await forks.ForksAsync(context.Owner.UserId, context.Repository.Name, cancellationToken))
                .Select(f => new { owner = f.OwnerId, name = f.Name }),
            issues = issueCounts,
            bytesServed = (object?)null,
        });
    }
}
