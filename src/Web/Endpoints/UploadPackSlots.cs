using System.Threading.RateLimiting;
using GitTorrent.Web.Security;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Slots for <c>git upload-pack</c> processes: <see cref="GitHttpOptions.MaxUploadPacksPerAddress"/> per client address
/// and <see cref="GitHttpOptions.MaxUploadPacks"/> in total, taken without waiting (a refused client retries after
/// <see cref="GitHttpOptions.RetryAfter"/>). Refusals are counted in <see cref="PortalCounters"/>.
/// </summary>
public sealed class UploadPackSlots : IDisposable
{
    private readonly ConcurrencyLimiter _total;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PortalCounters _counters;

    public UploadPackSlots(IOptions<GitHttpOptions> options, PortalCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _counters = counters;
        _total = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = settings.MaxUploadPacks, QueueLimit = 0 });
        _perAddress = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetConcurrencyLimiter(address,
            _ => new ConcurrencyLimiterOptions { PermitLimit = settings.MaxUploadPacksPerAddress, QueueLimit = 0 }));
    }

    /// <summary>A held slot (dispose to free it), or the status to refuse with: 429 (this address) or 503 (everyone).</summary>
    public (IDisposable? Slot, int Status) TryTake(HttpContext context)
    {
        var mine = _perAddress.AttemptAcquire(ClientAddress.KeyOf(context));
        if (!mine.IsAcquired)
        {
            mine.Dispose();
            _counters.Add(PortalCounters.UploadPackRefusedPerAddress);
            return (null, StatusCodes.Status429TooManyRequests);
        }
        var all = _total.AttemptAcquire();
        if (!all.IsAcquired)
        {
            all.Dispose();
            mine.Dispose();
            _counters.Add(PortalCounters.UploadPackRefusedTotal);
            return (null, StatusCodes.Status503ServiceUnavailable);
        }
        return (new Both(mine, all), 0);
    }

    public void Dispose()
    {
        _total.Dispose();
        _perAddress.Dispose();
    }

    private sealed class Both(RateLimitLease first, RateLimitLease second) : IDisposable
    {
        public void Dispose()
        {
            second.Dispose();
            first.Dispose();
        }
    }
}
