using GitTorrent.Engine;
using GitTorrent.Web.Services;
using Microsoft.Extensions.Caching.Memory;

namespace GitTorrent.Web.Issues;

/// <summary>Names for issue authors (by user id), from the portal's users and name registrations, cached briefly.</summary>
public sealed class IssueAuthors(UserDirectory directory, IMemoryCache cache)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<AuthorView> GetAsync(Hash20 userId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("issue-author", userId), out AuthorView? cached))
        {
            return cached!;
        }
        var id = userId.ToString();
        var owner = await directory.ResolveOwnerAsync(id, cancellationToken);
        var view = new AuthorView(id, owner?.RegisteredName, owner?.DisplayName);
        cache.Set(("issue-author", userId), view, CacheFor);
        return view;
    }

    /// <summary>The authors of many issues at once (each distinct id looked up once).</summary>
    public async Task<IReadOnlyDictionary<Hash20, AuthorView>> GetAllAsync(IEnumerable<Hash20> userIds, CancellationToken cancellationToken)
    {
        var views = new Dictionary<Hash20, AuthorView>();
        foreach (var id in userIds.Distinct())
        {
            views[id] = await GetAsync(id, cancellationToken);
        }
        return views;
    }
}
