using System.Threading.RateLimiting;
using GitTorrent.Web.Security;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Slots for work a client holds while it runs: at most so many per client address (<see cref="ClientAddress"/>) and
/// so many in total. A request that finds its address's slots taken waits in a short per-address queue (bounded in
/// length and in time) when the set has one, else it is refused at once; a request that finds every slot taken is
/// refused at once. A refused client retries after <see cref="GitHttpOptions.RetryAfter"/>; waits and refusals are
/// counted in <see cref="PortalCounters"/>. Two sets exist (keyed services): <see cref="UploadPack"/> for
/// <c>git upload-pack</c> processes (<see cref="GitHttpOptions.MaxUploadPacksPerAddress"/>,
/// <see cref="GitHttpOptions.UploadPackQueuePerAddress"/>, <see cref="GitHttpOptions.UploadPackQueueWait"/>,
/// <see cref="GitHttpOptions.MaxUploadPacks"/>) and <see cref="Download"/> for pack and bundle downloads
/// (<see cref="GitHttpOptions.MaxDownloadsPerAddress"/>, <see cref="GitHttpOptions.MaxDownloads"/>, no queue).
/// </summary>
public sealed class ClientSlots : IDisposable
{
    public const string UploadPack = "upload-pack";
    public const string Download = "download";

    private readonly ConcurrencyLimiter _total;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PortalCounters _counters;
    private readonly Names _names;
    private readonly int _queue;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;

    private ClientSlots(int perAddress, int queue, TimeSpan wait, int total, PortalCounters counters, Names names, TimeProvider time)
    {
        _counters = counters;
        _names = names;
        _queue = queue;
        _wait = wait;
        _time = time;
        _total = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = total, QueueLimit = 0 });
        _perAddress = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetConcurrencyLimiter(address,
            _ => new ConcurrencyLimiterOptions { PermitLimit = perAddress, QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
    }

    /// <summary>The slots of <c>git upload-pack</c> processes.</summary>
    public static ClientSlots ForUploadPacks(IOptions<GitHttpOptions> options, PortalCounters counters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        return new(o.MaxUploadPacksPerAddress, o.UploadPackQueuePerAddress, o.UploadPackQueueWait, o.MaxUploadPacks, counters,
            new(PortalCounters.UploadPackWaited, PortalCounters.UploadPackRefusedPerAddress, PortalCounters.UploadPackRefusedTotal), time);
    }

    /// <summary>The slots of <c>/packs/*.pack</c> and bundle downloads.</summary>
    public static ClientSlots ForDownloads(IOptions<GitHttpOptions> options, PortalCounters counters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Value.MaxDownloadsPerAddress, 0, TimeSpan.Zero, options.Value.MaxDownloads, counters,
            new(null, PortalCounters.DownloadRefusedPerAddress, PortalCounters.DownloadRefusedTotal), time);
    }

    /// <summary>
    /// A held slot (dispose to free it), or the status to refuse with: 429 (this address: its slots are taken and its
    /// queue is full, or the wait in the queue ran out) or 503 (everyone). Throws <see cref="OperationCanceledException"/>
    /// when the client goes away while it waits.
    /// </summary>
    public async ValueTask<(IDisposable? Slot, int Status)> TakeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = ClientAddress.KeyOf(context);
        var mine = _perAddress.AttemptAcquire(key);
        if (!mine.IsAcquired && _queue > 0)
        {
            mine.Dispose();
            using var wait = new CancellationTokenSource(_wait, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, context.RequestAborted);
            var queued = _perAddress.AcquireAsync(key, 1, either.Token);
            if (!queued.IsCompleted)
            {
                _counters.Add(_names.Waited!); // in the queue (a full queue answers at once, not acquired)
            }
            try
            {
                mine = await queued.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                mine = null;
            }
        }
        if (mine is not { IsAcquired: true })
        {
            mine?.Dispose();
            _counters.Add(_names.RefusedPerAddress);
            return (null, StatusCodes.Status429TooManyRequests);
        }
        var all = _total.AttemptAcquire();
        if (!all.IsAcquired)
        {
            all.Dispose();
            mine.Dispose();
            _counters.Add(_names.RefusedTotal);
            return (null, StatusCodes.Status503ServiceUnavailable);
        }
        return (new Both(mine, all), 0);
    }

    public void Dispose()
    {
        _total.Dispose();
        _perAddress.Dispose();
    }

    /// <summary>The counters of one set: waits in the queue (null without a queue), refusals per address and in total.</summary>
    private sealed record Names(string? Waited, string RefusedPerAddress, string RefusedTotal);

    private sealed class Both(RateLimitLease first, RateLimitLease second) : IDisposable
    {
        public void Dispose()
        {
            second.Dispose();
            first.Dispose();
        }
    }
}
