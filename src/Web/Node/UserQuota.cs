using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Node;

/// <summary>
/// The disk each user's repositories may take in the store (<see cref="PortalOptions.UserQuotaBytes"/>): a pack from the
/// swarm is downloaded only when what the user has on disk, plus the packs of theirs arriving, plus this one fits.
/// The fetcher asks once a pack's size is known: <c>ReservePackSpace = bytes =&gt; quota.TryReserve(userId, bytes)</c>.
/// </summary>
public sealed partial class UserQuota(StorageUsage usage, IOptions<PortalOptions> options, PortalCounters counters, ILogger<UserQuota> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _reserved = new(StringComparer.Ordinal);

    public long QuotaBytes => options.Value.UserQuotaBytes;

    /// <summary>
    /// Reserves <paramref name="bytes"/> of <paramref name="userId"/>'s quota until the returned handle is disposed (when
    /// the pack is imported, and so counted on disk, or dropped); null when it does not fit (counted and logged).
    /// </summary>
    public IDisposable? TryReserve(string userId, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            var used = usage.UserBytes(userId) + _reserved.GetValueOrDefault(userId);
            if (used + bytes > QuotaBytes)
            {
                counters.Add(PortalCounters.DownloadsOverQuota);
                LogOverQuota(logger, userId, bytes, used, QuotaBytes);
                return null;
            }
            _reserved[userId] = _reserved.GetValueOrDefault(userId) + bytes;
            return new Reservation(this, userId, bytes);
        }
    }

    private void Release(string userId, long bytes)
    {
        lock (_gate)
        {
            var left = _reserved.GetValueOrDefault(userId) - bytes;
            if (left > 0)
            {
                _reserved[userId] = left;
            }
            else
            {
                _reserved.Remove(userId);
            }
        }
    }

    private sealed class Reservation(UserQuota quota, string userId, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                quota.Release(userId, bytes);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pack of {Bytes} bytes for user {UserId} refused: {Used} bytes used of a quota of {Quota}")]
    private static partial void LogOverQuota(ILogger logger, string userId, long bytes, long used, long quota);
}
