using GitTorrent.Engine;
using GitTorrent.Engine.Issues;
using Microsoft.Extensions.Caching.Memory;

namespace GitTorrent.Web.Issues;

/// <summary>
/// The portal's <see cref="IIssueSummaryCache"/>: folder summaries by (name, tree id), shared by every repository
/// (the same tree id has the same content anywhere), bounded by <see cref="IssuePageOptions.MaxCachedSummaries"/>.
/// </summary>
public sealed class IssueSummaryMemoryCache(int maxEntries) : IIssueSummaryCache, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = maxEntries, CompactionPercentage = 0.25 });

    public bool TryGet(string id, Hash20 tree, out IssueFolderSummary summary) => _cache.TryGetValue((id, tree), out summary!);

    public void Set(string id, Hash20 tree, IssueFolderSummary summary) => _cache.Set((id, tree), summary, new MemoryCacheEntryOptions { Size = 1 });

    public void Dispose() => _cache.Dispose();
}
