using GitTorrent.Data;
using GitTorrent.Web.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Identity;

/// <summary>One portal identity for replicas of one PostgreSQL database: the same id, and seqs that never repeat.</summary>
public sealed class PortalIdentityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Replicas_share_one_key_and_never_take_the_same_seq()
    {
        await using var storage = PortalStorage.Postgres();
        using var cts = new CancellationTokenSource(Timeout);
        await storage.MigrateAsync(Timeout);

        // Three "replicas": own factories (own connection pools) and data folders, one key ring (as in data_protection_keys).
        var keyRing = new EphemeralDataProtectionProvider();
        var replicas = Enumerable.Range(0, 3).Select(i => new PortalIdentity(storage.OpenFactory(), keyRing,
            Options.Create(new PortalOptions { DataDir = Path.Combine(storage.DataDirectory, $"replica{i}") }), TimeProvider.System,
            NullLogger<PortalIdentity>.Instance)).ToList();
        var ids = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.UserId, cts.Token))).WaitAsync(Timeout);
        Assert.Single(ids.Distinct());

        // Each takes seqs as its profile writer does: one transaction per seq, all replicas at once.
        var taken = await Task.WhenAll(replicas.Select((replica, i) => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var n = 0; n < 30; n++)
            {
                await using var db = storage.OpenFactory().CreateDbContext();
                await using var transaction = await db.Database.BeginTransactionAsync(cts.Token);
                mine.Add(await replica.NextSeqAsync(db, cts.Token));
                await transaction.CommitAsync(cts.Token);
            }

            return mine;
        }, cts.Token))).WaitAsync(Timeout);
        var all = taken.SelectMany(t => t).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(taken, mine => Assert.Equal(mine.Order(), mine)); // each replica's seqs increase
        Assert.True(all.Min() >= DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120, "a seq below Unix seconds");
        foreach (var replica in replicas)
        {
            replica.Dispose();
        }
    }
}
