using System.Security.Cryptography;
using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Data.Tests;

/// <summary>
/// The data-layer suite, run once per provider by <see cref="SqliteDataTests"/> and <see cref="PostgresDataTests"/>.
/// Every test makes its own rows (random keys), so tests do not depend on each other.
/// </summary>
public abstract class DataSuite<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private static readonly TimeSpan Timeout = DatabaseFixture.Timeout;

    protected TFixture Fixture => fixture;

    [Fact]
    public void SettingsPickTheExpectedProvider()
    {
        Assert.Null(fixture.Settings.Error);
        Assert.Equal(fixture.ExpectedProvider, fixture.Settings.Provider);
        using var db = fixture.Factory.CreateDbContext();
        Assert.Equal(fixture.ExpectedProvider, db.Provider);
    }

    [Fact]
    public async Task FreshDatabaseGetsEveryMigration()
    {
        Assert.True(fixture.FirstMigration.Succeeded, fixture.FirstMigration.Error);
        await using var db = fixture.Factory.CreateDbContext();
        var all = db.Database.GetMigrations().ToList();
        Assert.NotEmpty(all);
        Assert.Equal(all, fixture.FirstMigration.Applied);
    }

    [Fact]
    public async Task MigratingAgainAppliesNothingAndHistoryMatchesMigrations()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var again = await fixture.Migrator.MigrateAsync(cts.Token).WaitAsync(Timeout);
        Assert.True(again.Succeeded, again.Error);
        Assert.Empty(again.Applied);

        await using var db = fixture.Factory.CreateDbContext();
        var applied = await db.Database.GetAppliedMigrationsAsync(cts.Token).WaitAsync(Timeout);
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(cts.Token).WaitAsync(Timeout));
    }

    [Fact]
    public async Task RepositoryNameIsUniquePerUser()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var userId = RandomHex(20);
        await UpsertProfileAsync(userId, RandomNumberGenerator.GetBytes(32), 1, null, Now(), ("refs/heads/main", RandomHex(20)), cts.Token);

        await using var db = fixture.Factory.CreateDbContext();
        db.Repositories.Add(new Repository { UserId = userId, Name = "project", LastUpdated = Now() });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(cts.Token).WaitAsync(Timeout));
    }

    [Fact]
    public async Task RecentUsersOrderByLastSeen()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var old = RandomHex(20);
        var recent = RandomHex(20);
        var far = DateTimeOffset.UtcNow.AddYears(50);
        await UpsertProfileAsync(old, RandomNumberGenerator.GetBytes(32), 1, "old", far, ("refs/heads/main", RandomHex(20)), cts.Token);
        await UpsertProfileAsync(recent, RandomNumberGenerator.GetBytes(32), 1, "recent", far.AddSeconds(1), ("refs/heads/main", RandomHex(20)), cts.Token);

        await using var db = fixture.Factory.CreateDbContext();
        var top = await db.Users.AsNoTracking()
            .Where(u => u.LastSeen >= far)
            .OrderByDescending(u => u.LastSeen)
            .Select(u => u.UserId)
            .ToListAsync(cts.Token).WaitAsync(Timeout);
        Assert.Equal([recent, old], top);
    }

    [Fact]
    public async Task NameRegistrationsRoundTripAndTxOutputIsUnique()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var txid = RandomHex(32);
        var name = "name" + RandomHex(4);
        var preorder = new NameRegistration
        {
            Kind = NameRegistrationKind.Preorder,
            Commitment = RandomHex(32),
            Txid = txid,
            Vout = 0,
            BlockHeight = 101,
            BlockHash = RandomHex(32),
            TxIndex = 1,
            Status = NameRegistrationStatus.Settling,
            Valid = true,
        };
        var register = new NameRegistration
        {
            Name = name,
            Kind = NameRegistrationKind.Register,
            KeyHash = RandomHex(20),
            Salt = RandomHex(16),
            Txid = txid,
            Vout = 1,
            Status = NameRegistrationStatus.Pending,
            Valid = false,
            Reason = "no matching preorder",
        };
        await using (var db = fixture.Factory.CreateDbContext())
        {
            db.NameRegistrations.AddRange(preorder, register);
            await db.SaveChangesAsync(cts.Token).WaitAsync(Timeout);
        }

        // Upsert: the entry gets mined and validated.
        await using (var db = fixture.Factory.CreateDbContext())
        {
            var entry = await db.NameRegistrations.SingleAsync(n => n.Txid == txid && n.Vout == 1, cts.Token).WaitAsync(Timeout);
            entry.BlockHeight = 102;
            entry.Status = NameRegistrationStatus.Settled;
            entry.Valid = true;
            entry.Reason = null;
            await db.SaveChangesAsync(cts.Token).WaitAsync(Timeout);
        }

        await using (var db = fixture.Factory.CreateDbContext())
        {
            var rows = await db.NameRegistrations.AsNoTracking().Where(n => n.Txid == txid).OrderBy(n => n.Vout)
                .ToListAsync(cts.Token).WaitAsync(Timeout);
            Assert.Equal([NameRegistrationKind.Preorder, NameRegistrationKind.Register], rows.Select(r => r.Kind));
            Assert.Equal(preorder.Commitment, rows[0].Commitment);
            Assert.Equal(NameRegistrationStatus.Settled, rows[1].Status);
            Assert.Equal((102, true, null), (rows[1].BlockHeight, rows[1].Valid, rows[1].Reason));
            Assert.Equal(name, await db.NameRegistrations.Where(n => n.Name == name).Select(n => n.Name).SingleAsync(cts.Token));

            // The kind is stored as the protocol's upper-case word.
            var kinds = await db.Database.SqlQuery<string>(
                    $"SELECT \"Kind\" AS \"Value\" FROM name_registrations WHERE \"Txid\" = {txid} ORDER BY \"Vout\"")
                .ToListAsync(cts.Token).WaitAsync(Timeout);
            Assert.Equal(["PREORDER", "REGISTER"], kinds);

            db.NameRegistrations.Add(new NameRegistration { Kind = NameRegistrationKind.Claim, Txid = txid, Vout = 1, Status = NameRegistrationStatus.Pending });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(cts.Token).WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task ChainStateAndProcessedBlocksRoundTrip()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var chain = "t" + RandomHex(4);
        await using (var db = fixture.Factory.CreateDbContext())
        {
            db.ChainStates.Add(new ChainState { Chain = chain, Height = 1, Hash = RandomHex(32), UpdatedAt = Now() });
            for (var height = 0; height <= 2; height++)
            {
                db.ProcessedBlocks.Add(new ProcessedBlock { Chain = chain, Height = height, Hash = RandomHex(32), ProcessedAt = Now() });
            }

            await db.SaveChangesAsync(cts.Token).WaitAsync(Timeout);
        }

        var tip = RandomHex(32);
        await using (var db = fixture.Factory.CreateDbContext())
        {
            var state = await db.ChainStates.SingleAsync(c => c.Chain == chain, cts.Token).WaitAsync(Timeout);
            state.Height = 2;
            state.Hash = tip;
            await db.SaveChangesAsync(cts.Token).WaitAsync(Timeout);
        }

        await using (var db = fixture.Factory.CreateDbContext())
        {
            var state = await db.ChainStates.AsNoTracking().SingleAsync(c => c.Chain == chain, cts.Token).WaitAsync(Timeout);
            Assert.Equal((2, tip), (state.Height, state.Hash));
            var heights = await db.ProcessedBlocks.Where(b => b.Chain == chain).OrderBy(b => b.Height).Select(b => b.Height)
                .ToListAsync(cts.Token).WaitAsync(Timeout);
            Assert.Equal([0, 1, 2], heights);
            db.ProcessedBlocks.Add(new ProcessedBlock { Chain = chain, Height = 2, Hash = RandomHex(32), ProcessedAt = Now() });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(cts.Token).WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task MirrorsPacksAndAdminsRoundTrip()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var mirrorName = "mirror-" + RandomHex(4);
        var infoHash = RandomHex(20);
        var commit = RandomHex(20);
        var admin = "admin-" + RandomHex(4);
        var created = Now();
        await using (var db = fixture.Factory.CreateDbContext())
        {
            db.Mirrors.Add(new Mirror { Name = mirrorName, OriginUrl = "https://example.invalid/repo.git", SyncInterval = TimeSpan.FromHours(1), CreatedAt = created });
            db.SeededPacks.Add(new SeededPack { InfoHash = infoHash, Commit = commit, Size = 123_456, CreatedAt = created });
            db.PortalAdmins.Add(new PortalAdmin { UserName = admin, PasswordHash = "AQAAAA-hash", MustChangePassword = true, CreatedAt = created });
            await db.SaveChangesAsync(cts.Token).WaitAsync(Timeout);
        }

        await using (var db = fixture.Factory.CreateDbContext())
        {
            var mirror = await db.Mirrors.SingleAsync(m => m.Name == mirrorName, cts.Token).WaitAsync(Timeout);
            mirror.LastSync = created.AddMinutes(1);
            mirror.LastError = "fetch failed";
            mirror.BytesServed += 4096;
            var pack = await db.SeededPacks.SingleAsync(p => p.InfoHash == infoHash, cts.Token).WaitAsync(Timeout);
            pack.BytesUploaded += 1_000_000_000_000;
            await db.SaveChangesAsync(cts.Token).WaitAsync(Timeout);
        }

        await using (var db = fixture.Factory.CreateDbContext())
        {
            var mirror = await db.Mirrors.AsNoTracking().SingleAsync(m => m.Name == mirrorName, cts.Token).WaitAsync(Timeout);
            Assert.Equal(TimeSpan.FromHours(1), mirror.SyncInterval);
            Assert.Equal(created.AddMinutes(1), mirror.LastSync);
            Assert.Equal(("fetch failed", 4096L), (mirror.LastError, mirror.BytesServed));
            var pack = await db.SeededPacks.AsNoTracking().SingleAsync(p => p.Commit == commit, cts.Token).WaitAsync(Timeout);
            Assert.Equal((infoHash, 123_456L, 1_000_000_000_000L, created), (pack.InfoHash, pack.Size, pack.BytesUploaded, pack.CreatedAt));
            var stored = await db.PortalAdmins.AsNoTracking().SingleAsync(a => a.UserName == admin, cts.Token).WaitAsync(Timeout);
            Assert.True(stored.MustChangePassword);

            db.Mirrors.Add(new Mirror { Name = mirrorName, OriginUrl = "https://example.invalid/other.git", CreatedAt = created });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(cts.Token).WaitAsync(Timeout));
        }
    }

    protected static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Now, truncated to microseconds (PostgreSQL's timestamp precision).</summary>
    protected static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>What the profile crawler will do: insert or update the user, its repository and the repository's refs.</summary>
    private async Task UpsertProfileAsync(
        string userId, byte[] publicKey, long seq, string? displayName, DateTimeOffset seen,
        (string Name, string Target) head, CancellationToken cancellationToken, params (string Name, string Target)[] otherRefs)
    {
        await using var db = fixture.Factory.CreateDbContext();
        var user = await db.Users.Include(u => u.Repositories).ThenInclude(r => r.Refs)
            .SingleOrDefaultAsync(u => u.UserId == userId, cancellationToken).WaitAsync(Timeout);
        if (user is null)
        {
            user = new User { UserId = userId, PublicKey = publicKey, RawProfile = [], Signature = [], FirstSeen = seen };
            db.Users.Add(user);
        }

        user.Seq = seq;
        user.RawProfile = RandomNumberGenerator.GetBytes(200);
        user.Signature = RandomNumberGenerator.GetBytes(64);
        user.DisplayName = displayName;
        user.LastSeen = seen;
        user.NextCrawl = seen.AddHours(1);

        var repository = user.Repositories.SingleOrDefault(r => r.Name == "project");
        if (repository is null)
        {
            repository = new Repository { UserId = userId, Name = "project" };
            user.Repositories.Add(repository);
        }

        repository.Head = head.Name;
        repository.LastUpdated = seen;
        var wanted = new[] { head }.Concat(otherRefs).ToDictionary(r => r.Name, r => r.Target);
        repository.Refs.RemoveAll(r => !wanted.ContainsKey(r.Name));
        foreach (var (name, target) in wanted)
        {
            var existing = repository.Refs.SingleOrDefault(r => r.Name == name);
            if (existing is null)
            {
                repository.Refs.Add(new RepositoryRef { Name = name, Target = target });
            }
            else
            {
                existing.Target = target;
            }
        }

        await db.SaveChangesAsync(cancellationToken).WaitAsync(Timeout);
    }
}
