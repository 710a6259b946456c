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

    [Fact]
    public async Task A_sender_that_finds_the_bucket_empty_sleeps_the_minimum_then_sends_a_batch()
    {
        // 10 MiB/s: one 16 KiB block is 1.56 ms of tokens. Waking for each block spun a core (sub-millisecond timers);
        // the sender must sleep at least MinimumWait and then send the blocks that time paid for without waiting.
        const int Block = 16 * 1024;
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(10 * 1024 * 1024, time);
        await bucket.WaitAsync(10 * 1024 * 1024, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)); // the first second's burst

        var next = bucket.WaitAsync(Block, default).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(2)); // enough tokens for one block, but shorter than the minimum sleep
        await Task.Delay(50);
        Assert.False(next.IsCompleted, "the sender woke before the minimum wait");
        time.Advance(TokenBucket.MinimumWait - TimeSpan.FromMilliseconds(2));
        await next.WaitAsync(TimeSpan.FromSeconds(5));

        // 10 ms paid for 104,857 bytes: after this block six more go at once, the last of them into debt.
        var atOnce = 0;
        while (bucket.WaitAsync(Block, default) is { IsCompletedSuccessfully: true })
        {
            atOnce++;
        }
        Assert.Equal(6, atOnce);
    }

    [Fact]
    public async Task Over_a_second_the_sender_gets_the_rate_give_or_take_the_minimum_wait()
    {
        const int Block = 16 * 1024;
        const int Rate = 10 * 1024 * 1024;
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(Rate, time);
        await bucket.WaitAsync(Rate, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        long sent = 0;
        var pending = bucket.WaitAsync(Block, default).AsTask();
        for (var ms = 0; ms < 1000; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            for (var spins = 0; spins < 100 && !pending.IsCompleted; spins++)
            {
                await Task.Yield(); // let a timer's continuation finish
            }
            while (pending.IsCompleted)
            {
                await pending;
                sent += Block;
                pending = bucket.WaitAsync(Block, default).AsTask();
            }
        }
        var minimumWaitBytes = (long)(TokenBucket.MinimumWait.TotalSeconds * Rate);
        Assert.InRange(sent, Rate - minimumWaitBytes - Block, Rate + Block);
    }
}
