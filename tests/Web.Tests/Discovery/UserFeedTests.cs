using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Indexer.Discovery;
using GitTorrent.Web.Discovery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Web.Tests.Discovery;

/// <summary><c>/api/users</c> paging on both providers: order, cursor, end, garbage cursors, a user changing between pages.</summary>
public sealed class UserFeedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pages_follow_the_change_order_end_with_null_and_a_changed_user_moves_to_the_end(bool postgres)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var storage = postgres ? PortalStorage.Postgres() : PortalStorage.Sqlite();
        var factory = await storage.MigrateAsync(Timeout);
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        // Five users; two share a change time (the id breaks the tie), inserted out of order.
        var rows = new (string Id, int Minutes)[] { ("c", 3), ("a", 1), ("e", 1), ("b", 2), ("d", 4) };
        await using (var db = factory.CreateDbContext())
        {
            foreach (var (id, minutes) in rows)
            {
                db.Users.Add(new User
                {
                    UserId = new string(id[0], 40), PublicKey = new byte[32], RawProfile = [], Signature = new byte[64], Seq = minutes,
                    FirstSeen = start, LastSeen = start, UpdatedAt = start.AddMinutes(minutes),
                });
            }
            await db.SaveChangesAsync(cts.Token);
        }
        var time = new FakeTimeProvider(start.AddHours(1));
        var feed = new UserFeed(factory, Options.Create(new DiscoveryOptions { UsersFeedSettle = TimeSpan.FromSeconds(5), UsersFeedMaxLimit = 3 }), time);

        var first = await feed.PageAsync(null, 2, cts.Token);
        Assert.NotNull(first);
        Assert.Equal(new[] { "a", "e" }, first.Users.Select(u => u.Id[..1]));
        Assert.NotNull(first.Next);
        var second = await feed.PageAsync(first.Next, 2, cts.Token);
        Assert.Equal(new[] { "b", "c" }, second!.Users.Select(u => u.Id[..1]));

        // "a" changes between pages: it is listed again after the others, not lost and not repeated in place.
        await using (var db = factory.CreateDbContext())
        {
            var a = await db.Users.SingleAsync(u => u.UserId == new string('a', 40), cts.Token);
            a.UpdatedAt = start.AddMinutes(30);
            await db.SaveChangesAsync(cts.Token);
        }
        var third = await feed.PageAsync(second.Next, 100, cts.Token); // limit cut to the maximum (3)
        Assert.Equal(new[] { "d", "a" }, third!.Users.Select(u => u.Id[..1]));
        Assert.Null(third.Next);

        // Changes younger than the settle time are held back.
        await using (var db = factory.CreateDbContext())
        {
            var e = await db.Users.SingleAsync(u => u.UserId == new string('e', 40), cts.Token);
            e.UpdatedAt = time.GetUtcNow().AddSeconds(-2);
            await db.SaveChangesAsync(cts.Token);
        }
        var all = await feed.PageAsync(null, 3, cts.Token);
        var rest = await feed.PageAsync(all!.Next, 3, cts.Token);
        Assert.Equal(new[] { "b", "c", "d", "a" }, all.Users.Concat(rest!.Users).Select(u => u.Id[..1]));
        time.Advance(TimeSpan.FromSeconds(5));
        // Once settled it is listed after the cursor a follower kept (the last one that was not null).
        Assert.Null(rest.Next);
        var settled = await feed.PageAsync(all.Next, 3, cts.Token);
        Assert.Equal(new[] { "a", "e" }, settled!.Users.Select(u => u.Id[..1]));

        // Garbage cursors are refused.
        foreach (var garbage in new[] { "", "x", "12", "12.zz", "-5." + new string('a', 40), "1." + new string('A', 40), "99999999999999999999." + new string('a', 40) })
        {
            Assert.Null(await feed.PageAsync(garbage, 2, cts.Token));
        }
    }
}
