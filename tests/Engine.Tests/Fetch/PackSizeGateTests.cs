using GitTorrent.Engine.Fetch;

namespace GitTorrent.Engine.Tests.Fetch;

/// <summary>
/// The one decision on a pack's size when its metadata arrives: over the node's MaxPackBytes it is refused whatever the
/// quota says, else it needs a reservation from the caller's quota; a refusal cancels the download, and the
/// reservation is held until the gate is disposed.
/// </summary>
public sealed class PackSizeGateTests
{
    [Fact]
    public void A_pack_over_MaxPackBytes_is_refused_and_its_download_cancelled_without_asking_the_quota()
    {
        using var download = new CancellationTokenSource();
        var asked = 0;
        using var gate = new PackSizeGate(1000, _ => { asked++; return new Reservation(); }, download);

        Assert.False(gate.Admit(1001));
        Assert.True(download.IsCancellationRequested);
        Assert.Equal(0, asked);
        Assert.Equal("the pack is 1001 bytes, more than the limit of 1000 bytes", gate.Refusal);
    }

    [Fact]
    public void A_pack_within_MaxPackBytes_without_a_quota_is_admitted()
    {
        using var download = new CancellationTokenSource();
        using var gate = new PackSizeGate(1000, reserve: null, download);

        Assert.True(gate.Admit(1000));
        Assert.False(download.IsCancellationRequested);
        Assert.Null(gate.Refusal);
    }

    [Fact]
    public void A_pack_the_quota_cannot_hold_is_refused()
    {
        using var download = new CancellationTokenSource();
        using var gate = new PackSizeGate(1000, _ => null, download);

        Assert.False(gate.Admit(500));
        Assert.True(download.IsCancellationRequested);
        Assert.Equal("the pack of 500 bytes does not fit in the download quota", gate.Refusal);
    }

    [Fact]
    public void The_decision_is_made_once_and_the_reservation_is_released_on_dispose()
    {
        using var download = new CancellationTokenSource();
        var reservations = new List<(long Bytes, Reservation Held)>();
        var gate = new PackSizeGate(1000, bytes =>
        {
            var held = new Reservation();
            reservations.Add((bytes, held));
            return held;
        }, download);

        Assert.True(gate.Admit(600));
        Assert.True(gate.Admit(5000)); // later sizes do not change the decision, nor reserve again
        var (bytes, held) = Assert.Single(reservations);
        Assert.Equal(600, bytes);
        Assert.False(held.Released);

        gate.Dispose();
        Assert.True(held.Released);
    }

    private sealed class Reservation : IDisposable
    {
        public bool Released { get; private set; }

        public void Dispose() => Released = true;
    }
}
