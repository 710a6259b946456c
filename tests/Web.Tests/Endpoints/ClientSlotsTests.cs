using System.Net;
using GitTorrent.Web.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Web.Tests.Endpoints;

/// <summary>
/// The upload-pack slots on the portal's clock: one per address, a second request from the attacker's address waits
/// in its queue and gets the slot when it frees; a full queue and a wait longer than the setting are answered 429;
/// the honest address is never held up.
/// </summary>
public sealed class ClientSlotsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_request_waits_for_its_address_slot_within_the_queue_length_and_the_wait()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counters = new PortalCounters();
        using var slots = ClientSlots.ForUploadPacks(Options.Create(new GitHttpOptions
        {
            MaxUploadPacksPerAddress = 1, UploadPackQueuePerAddress = 1, UploadPackQueueWait = TimeSpan.FromSeconds(30), MaxUploadPacks = 8,
        }), counters, time);

        var (running, _) = await slots.TakeAsync(From("127.0.0.2")).AsTask().WaitAsync(Timeout);
        Assert.NotNull(running);
        var waiting = slots.TakeAsync(From("127.0.0.2")).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, counters.Get(PortalCounters.UploadPackWaited));

        // The queue is full: refused at once. The honest address has its own slot.
        Assert.Equal(StatusCodes.Status429TooManyRequests, Refusal(await slots.TakeAsync(From("127.0.0.2")).AsTask().WaitAsync(Timeout)));
        var (honest, _) = await slots.TakeAsync(From("127.0.0.1")).AsTask().WaitAsync(Timeout);
        Assert.NotNull(honest);
        honest.Dispose();

        // The running one ends: the waiting one gets the slot.
        running.Dispose();
        var (second, _) = await waiting.WaitAsync(Timeout);
        Assert.NotNull(second);

        // A wait longer than UploadPackQueueWait ends in 429.
        var late = slots.TakeAsync(From("127.0.0.2")).AsTask();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(late.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(StatusCodes.Status429TooManyRequests, Refusal(await late.WaitAsync(Timeout)));
        Assert.Equal(2, counters.Get(PortalCounters.UploadPackRefusedPerAddress));
        Assert.Equal(2, counters.Get(PortalCounters.UploadPackWaited));
        second.Dispose();
    }

    /// <summary>The status of a refusal (no slot held).</summary>
    private static int Refusal((IDisposable? Slot, int Status) taken)
    {
        Assert.Null(taken.Slot);
        return taken.Status;
    }

    private static DefaultHttpContext From(string address) => new() { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };
}
