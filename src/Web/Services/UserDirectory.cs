using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace GitTorrent.Web.Services;

/// <summary>
/// Read model of users, names and repositories. Owners are named by 40-hex id or by registered name; the name's
/// owner is the valid CLAIM or REGISTER with the lowest position as the indexer stored them (its
/// <c>NameOwnershipResolver</c> computes Valid/Status; this reads them). Hot lookups are cached for a few seconds.
/// </summary>
public sealed class UserDirectory(IDbContextFactory<GitTorrentDbContext> factory, IMemoryCache cache)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(3);

    public async Task<OwnerInfo?> ResolveOwnerAsync(string nameOrId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("owner", nameOrId), out OwnerInfo? cached))
        {
            return cached;
        }

        string? userId = Hash20.IsLowerHex40(nameOrId) ? nameOrId : null;
        string? registered = null;
        if (userId is null)
        {
            if (!GitTorrentUrl.UsernamePattern().IsMatch(nameOrId))
            {
                return null;
            }

            var name = await GetNameAsync(nameOrId, cancellationToken);
            userId = name?.Owner;
            registered = name?.Owner is null ? null : nameOrId;
            if (userId is null)
            {
                return null;
            }
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.UserId == userId)
            .Select(u => new { u.UserId, u.DisplayName, u.PublicKey, u.Seq, u.LastSeen })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        registered ??= await RegisteredNameOfAsync(db, userId, cancellationToken);
        var owner = new OwnerInfo(user.UserId, user.DisplayName, registered, user.PublicKey, user.Seq, user.LastSeen);
        cache.Set(("owner", nameOrId), owner, CacheFor);
        return owner;
    }

    public async Task<IReadOnlyList<RepositoryRecord>> RepositoriesAsync(string userId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("repos", userId), out IReadOnlyList<RepositoryRecord>? cached))
        {
            return cached!;
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Repositories.AsNoTracking()
            .Where(r => r.UserId == userId)
            .Include(r => r.Refs)
            .OrderBy(r => r.Name)
            .ToListAsync(cancellationToken);
        IReadOnlyList<RepositoryRecord> list = [.. rows.Select(r => new RepositoryRecord(
            r.Id, r.UserId, r.Name, r.Head, r.LastUpdated,
            r.Refs.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Target, StringComparer.Ordinal)))];
        cache.Set(("repos", userId), list, CacheFor);
        return list;
    }

    /// <summary>Drops cached rows of one user (after a mirror sync wrote new refs).</summary>
    public void Invalidate(string userId) => cache.Remove(("repos", userId));

    /// <summary><c>/api/names/{name}</c>: null for a name never seen.</summary>
    public async Task<NameView?> GetNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.Name == name)
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var ordered = rows
            .OrderBy(r => r.BlockHeight ?? int.MaxValue)
            .ThenBy(r => r.TxIndex ?? int.MaxValue)
            .ThenBy(r => r.Vout)
            .ToList();
        var winner = ordered.FirstOrDefault(r => r.Valid && r.KeyHash is not null
            && r.Kind is NameRegistrationKind.Claim or NameRegistrationKind.Register);
        var status = winner?.Status ?? (ordered.Any(r => r.Status == NameRegistrationStatus.Pending)
            ? NameRegistrationStatus.Pending
            : ordered.Min(r => r.Status));
        return new NameView(
            name,
            winner?.KeyHash,
            StatusText(status),
            [.. ordered.Select(r => new NameEntryView(
                r.Kind.ToString().ToUpperInvariant(), r.Txid, r.Vout, r.BlockHeight, r.BlockHash, r.KeyHash, r.Valid, r.Reason, StatusText(r.Status)))]);
    }

    /// <summary>The names a user owns (for <c>/api/users/{id}</c> and the user page).</summary>
    public async Task<IReadOnlyList<NameView>> NamesOwnedByAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.KeyHash == userId && n.Name != null && n.Valid)
            .Select(n => n.Name!)
            .Distinct()
            .ToListAsync(cancellationToken);
        var owned = new List<NameView>();
        foreach (var candidate in candidates.Order(StringComparer.Ordinal))
        {
            if (await GetNameAsync(candidate, cancellationToken) is { } view && view.Owner == userId)
            {
                owned.Add(view);
            }
        }

        return owned;
    }

    public async Task<User?> GetUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == userId, cancellationToken);
    }

    public static string StatusText(NameRegistrationStatus status) => status switch
    {
        NameRegistrationStatus.Pending => "pending",
        NameRegistrationStatus.Settling => "settling",
        _ => "settled",
    };

    private async Task<string?> RegisteredNameOfAsync(GitTorrentDbContext db, string userId, CancellationToken cancellationToken)
    {
        var names = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.KeyHash == userId && n.Name != null && n.Valid
                && (n.Kind == NameRegistrationKind.Claim || n.Kind == NameRegistrationKind.Register))
            .Select(n => n.Name!)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            if ((await GetNameAsync(name, cancellationToken))?.Owner == userId)
            {
                return name;
            }
        }

        return null;
    }
}
