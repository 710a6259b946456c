using Microsoft.Extensions.Time.Testing;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class TokenBucketTests
{
    [Fact]
    public async Task Waits_until_the_rate_allows_the_bytes()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(100_000, time);
        await bucket.WaitAsync(100_000, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)); // one second's worth is there at once

        var next = bucket.WaitAsync(50_000, default).AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(600));
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Zero_rate_means_unlimited()
    {
        // Fake time never advances here: any wait for tokens would stay pending, so each call must complete at once.
        var bucket = new TokenBucket(0, new FakeTimeProvider());
        for (var i = 0; i < 100; i++)
        {
            var wait = bucket.WaitAsync(1 << 20, default);
            Assert.True(wait.IsCompletedSuccessfully, $"call {i} waited");
            await wait;
        }
    }
}
