using System.Threading.RateLimiting;
using GitTorrent.Web.Security;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Slots for work a client holds while it runs: at most so many per client address (<see cref="ClientAddress"/>) and
/// so many in total, taken without waiting (a refused client retries after <see cref="GitHttpOptions.RetryAfter"/>);
/// refusals are counted in <see cref="PortalCounters"/>. Two sets exist (keyed services): <see cref="UploadPack"/>
/// for <c>git upload-pack</c> processes (<see cref="GitHttpOptions.MaxUploadPacksPerAddress"/>,
/// <see cref="GitHttpOptions.MaxUploadPacks"/>) and <see cref="Download"/> for pack and bundle downloads
/// (<see cref="GitHttpOptions.MaxDownloadsPerAddress"/>, <see cref="GitHttpOptions.MaxDownloads"/>).
/// </summary>
public sealed class ClientSlots : IDisposable
{
    public const string UploadPack = "upload-pack";
    public const string Download = "download";

    private readonly ConcurrencyLimiter _total;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PortalCounters _counters;
    private readonly string _refusedPerAddress;
    private readonly string _refusedTotal;

    private ClientSlots(int perAddress, int total, PortalCounters counters, string refusedPerAddress, string refusedTotal)
    {
        _counters = counters;
        _refusedPerAddress = refusedPerAddress;
        _refusedTotal = refusedTotal;
        _total = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = total, QueueLimit = 0 });
        _perAddress = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetConcurrencyLimiter(address,
            _ => new ConcurrencyLimiterOptions { PermitLimit = perAddress, QueueLimit = 0 }));
    }

    /// <summary>The slots of <c>git upload-pack</c> processes.</summary>
    public static ClientSlots ForUploadPacks(IOptions<GitHttpOptions> options, PortalCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Value.MaxUploadPacksPerAddress, options.Value.MaxUploadPacks, counters,
            PortalCounters.UploadPackRefusedPerAddress, PortalCounters.UploadPackRefusedTotal);
    }

    /// <summary>The slots of <c>/packs/*.pack</c> and bundle downloads.</summary>
    public static ClientSlots ForDownloads(IOptions<GitHttpOptions> options, PortalCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Value.MaxDownloadsPerAddress, options.Value.MaxDownloads, counters,
            PortalCounters.DownloadRefusedPerAddress, PortalCounters.DownloadRefusedTotal);
    }

    /// <summary>A held slot (dispose to free it), or the status to refuse with: 429 (this address) or 503 (everyone).</summary>
    public (IDisposable? Slot, int Status) TryTake(HttpContext context)
    {
        var mine = _perAddress.AttemptAcquire(ClientAddress.KeyOf(context));
        if (!mine.IsAcquired)
        {
            mine.Dispose();
            _counters.Add(_refusedPerAddress);
            return (null, StatusCodes.Status429TooManyRequests);
        }
        var all = _total.AttemptAcquire();
        if (!all.IsAcquired)
        {
            all.Dispose();
            mine.Dispose();
            _counters.Add(_refusedTotal);
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
