using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// The memory cache of browsing (listings, rendered files, diffs, histories, blame), sized in bytes:
/// every entry states an estimate of what it holds (<see cref="StringBytes"/> per string plus
/// <see cref="ObjectBytes"/> per object), and the cache stays under <see cref="BrowseOptions.CacheBytes"/>.
/// </summary>
public sealed class BrowseCache(IOptions<BrowseOptions> options) : IDisposable
{
    /// <summary>Rough managed cost of one small object (header, fields, list slot).</summary>
    public const long ObjectBytes = 64;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = options.Value.CacheBytes });

    /// <summary>Bytes a string takes on the managed heap (UTF-16 plus header).</summary>
    public static long StringBytes(string? text) => text is null ? 0 : 24 + (2L * text.Length);

    public bool TryGet<T>(object key, out T? value) => cache.TryGetValue(key, out value);

    public T Set<T>(object key, T value, long bytes, TimeSpan? expiry = null)
    {
        cache.Set(key, value, new MemoryCacheEntryOptions { Size = Math.Max(1, bytes), AbsoluteExpirationRelativeToNow = expiry });
        return value;
    }

    /// <summary>
    /// Stores a finished browsing view, unless its timeout stopped it: that is no final answer (the next request tries
    /// again; the load may have passed). One cut by the output budget is: the same data always prints as much.
    /// </summary>
    public T SetFinished<T>(object key, T value, GitWorkStop stop, long bytes, TimeSpan? expiry = null) =>
        stop == GitWorkStop.TimedOut ? value : Set(key, value, bytes, expiry);

    /// <summary>The cached value, or <paramref name="create"/>'s result stored with the size <paramref name="bytes"/> gives.</summary>
    public T GetOrCreate<T>(object key, Func<T> create, Func<T, long> bytes, TimeSpan? expiry = null)
    {
        if (cache.TryGetValue(key, out T? cached))
        {
            return cached!;
        }

        var value = create();
        return Set(key, value, bytes(value), expiry);
    }

    public void Remove(object key) => cache.Remove(key);

    public void Dispose() => cache.Dispose();
}
