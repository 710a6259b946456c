using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Tests.Names;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Indexer.Tests.Profiles;

public sealed class SqliteProfileStoreReadBackTests() : ProfileStoreReadBackTests(DatabaseProvider.Sqlite);

public sealed class PostgresProfileStoreReadBackTests() : ProfileStoreReadBackTests(DatabaseProvider.Postgres);

/// <summary>
/// The crawler's write path (<see cref="ProfileStore"/>, the one that fills users, repositories and refs) on each
/// provider, read back column by column against values written out here: a newer seq replaces the user and its
/// repositories' refs, an older one only moves LastSeen.
/// </summary>
public abstract class ProfileStoreReadBackTests(DatabaseProvider provider)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Hash20 A = Hash20.Sha1("a"u8);
    private static readonly Hash20 B = Hash20.Sha1("b"u8);
    private static readonly Hash20 C = Hash20.Sha1("c"u8);

    [Fact]
    public async Task A_newer_profile_replaces_the_user_and_refs_and_an_older_one_only_moves_last_seen()
    {
        using var identity = UserIdentity.Generate();
        await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
        var start = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var store = new ProfileStore(database.Factory, time);

        var first = Item(identity, 1, "Alice", new() { ["project"] = new() { ["HEAD"] = A, ["refs/heads/main"] = A }, ["old"] = new() { ["HEAD"] = A } });
        Assert.Equal(new ProfileStoreResult(1, 0, 0), await StoreAsync(store, first));
        time.Advance(TimeSpan.FromMinutes(5));
        // seq 2: renamed, "old" no longer published, project re-targeted with a new branch HEAD points at and a tag.
        var second = Item(identity, 2, "Alice L.", new()
        {
            ["project"] = new() { ["HEAD"] = B, ["refs/heads/main"] = A, ["refs/heads/dev"] = B, ["refs/tags/v1"] = C },
        });
        Assert.Equal(new ProfileStoreResult(1, 0, 0), await StoreAsync(store, second));
        time.Advance(TimeSpan.FromMinutes(5));
        var older = Item(identity, 1, "Mallory", new() { ["evil"] = new() { ["HEAD"] = C } });
        Assert.Equal(new ProfileStoreResult(0, 1, 0), await StoreAsync(store, older));

        using var cts = new CancellationTokenSource(Timeout);
        await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
        var user = await db.Users.AsNoTracking().Include(u => u.Repositories).ThenInclude(r => r.Refs)
            .SingleAsync(cts.Token).WaitAsync(Timeout);
        Assert.Equal(identity.UserId.ToString(), user.UserId);
        Assert.Equal(2, user.Seq);
        Assert.Equal("Alice L.", user.DisplayName);
        Assert.Equal("alice@example.org", user.Email);
        Assert.Equal(identity.PublicKey, user.PublicKey);
        Assert.Equal(second.RawValue, user.RawProfile);
        Assert.Equal(second.Signature, user.Signature);
        Assert.Equal(start, user.FirstSeen);
        Assert.Equal(start.AddMinutes(10), user.LastSeen);
        var repository = Assert.Single(user.Repositories);
        Assert.Equal("project", repository.Name);
        Assert.Equal("refs/heads/dev", repository.Head); // HEAD's commit is dev's, not main's
        Assert.Equal(start.AddMinutes(5), repository.LastUpdated);
        Assert.Equal(
            [("HEAD", B.ToString()), ("refs/heads/dev", B.ToString()), ("refs/heads/main", A.ToString()), ("refs/tags/v1", C.ToString())],
            repository.Refs.Select(r => (r.Name, r.Target)).OrderBy(r => r.Name, StringComparer.Ordinal));
    }

    private static async Task<ProfileStoreResult> StoreAsync(ProfileStore store, SignedProfile item)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await store.StoreAsync([item], cts.Token).WaitAsync(Timeout);
    }

    private static SignedProfile Item(UserIdentity identity, long seq, string name, Dictionary<string, Dictionary<string, Hash20>> repositories)
    {
        var profile = new UserProfile { Name = name, Email = "alice@example.org" };
        foreach (var (repository, refs) in repositories)
        {
            profile.Repositories[repository] = new SortedDictionary<string, Hash20>(refs, StringComparer.Ordinal);
        }
        var value = new BString(profile.ToJson()).Encode();
        return new SignedProfile(identity.UserId, profile, seq, identity.PublicKey, identity.Sign(Bep44.SignatureBuffer([], seq, value)), value);
    }
}
