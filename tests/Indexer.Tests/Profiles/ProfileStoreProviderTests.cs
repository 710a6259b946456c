using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Tests.Names;

namespace GitTorrent.Indexer.Tests.Profiles;

/// <summary>
/// ProfileStore writes PostgreSQL with set-based SQL and SQLite through EF Core change tracking: the same items
/// must leave the same users, repositories and refs in both (and the same counts).
/// </summary>
public sealed class ProfileStoreProviderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Postgres_and_sqlite_paths_store_the_same_rows()
    {
        var identities = Enumerable.Range(0, 12).Select(_ => UserIdentity.Generate()).ToList();
        try
        {
            // Round 1: new users. Round 2: newer seq for most (renamed, emptied, re-targeted, dropped repositories),
            // an older seq for one, a forged item, two items of one user in one batch. Round 3: the same again.
            List<SignedProfile> first = [.. identities.Select((id, i) => Item(id, i, 2, variant: 0))];
            List<SignedProfile> second =
            [
                .. identities.Skip(1).Select((id, i) => Item(id, i + 1, 3, variant: 1 + (i % 4))),
                Item(identities[0], 0, 1, variant: 2), // older: only LastSeen moves
                Forged(identities[2], identities[3]),
                Item(identities[4], 4, 4, variant: 3), // a second, newer item of user 4 in the same batch wins
            ];
            var rounds = new List<List<SignedProfile>> { first, second };
            rounds.Add(rounds[1]);
            var results = new Dictionary<DatabaseProvider, (List<ProfileStoreResult> Results, IndexTableDump Dump)>();
            foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
            {
                await using var database = await TestDatabase.CreateAsync(provider).WaitAsync(Timeout);
                var store = new ProfileStore(database.Factory, TimeProvider.System);
                var outcomes = new List<ProfileStoreResult>();
                foreach (var round in rounds)
                {
                    using var cts = new CancellationTokenSource(Timeout);
                    outcomes.Add(await store.StoreAsync(round, cts.Token).WaitAsync(Timeout));
                }
                using var read = new CancellationTokenSource(Timeout);
                results[provider] = (outcomes, await IndexTableDump.ReadAsync(database.Factory, read.Token).WaitAsync(Timeout));
            }

            var (sqlite, postgres) = (results[DatabaseProvider.Sqlite], results[DatabaseProvider.Postgres]);
            Assert.Equal(sqlite.Results, postgres.Results);
            Assert.Equal(new ProfileStoreResult(12, 0, 0), sqlite.Results[0]);
            Assert.Equal(new ProfileStoreResult(11, 1, 2), sqlite.Results[1]); // forged + the older item of user 4
            Assert.Equal(new ProfileStoreResult(0, 12, 2), sqlite.Results[2]);
            Assert.Null(IndexTableDump.Difference(sqlite.Dump, postgres.Dump));
            Assert.Equal(12, sqlite.Dump.Tables["users"].Count);
            Assert.True(sqlite.Dump.Tables["repositories"].Count > 12);
            Assert.True(sqlite.Dump.Tables["refs"].Count > 24);
        }
        finally
        {
            identities.ForEach(i => i.Dispose());
        }
    }

    private static SignedProfile Item(UserIdentity identity, int index, long seq, int variant)
    {
        var profile = new UserProfile { Name = variant == 2 ? null : $"User {index} v{variant}", Email = $"u{index}@example.org" };
        Hash20 Target(string what) => Hash20.Sha1(System.Text.Encoding.UTF8.GetBytes($"{index}/{what}/{(variant == 3 ? 3 : 0)}"));
        var repositories = variant switch
        {
            0 => new[] { "alpha", "beta", "gamma" }.Take(1 + index % 3),
            1 => ["alpha", "delta"], // beta/gamma dropped, delta new
            2 => [], // everything dropped
            3 => ["alpha", "beta"], // refs re-targeted
            _ => ["alpha", "beta", "gamma", new string('x', DataLimits.MaxRepositoryName + 1)], // too long a name is skipped
        };
        foreach (var name in repositories)
        {
            profile.Repositories[name] = name == "delta"
                ? new SortedDictionary<string, Hash20>(StringComparer.Ordinal)
                : new SortedDictionary<string, Hash20>(StringComparer.Ordinal)
                {
                    ["HEAD"] = Target(name),
                    ["refs/heads/master"] = Target(name),
                    ["refs/tags/v1"] = Target(name + "v1"),
                };
        }
        var value = new BString(profile.ToJson()).Encode();
        return new SignedProfile(identity.UserId, profile, seq, identity.PublicKey, identity.Sign(Bep44.SignatureBuffer([], seq, value)), value);
    }

    private static SignedProfile Forged(UserIdentity victim, UserIdentity attacker)
    {
        var profile = new UserProfile { Name = "forged" };
        var value = new BString(profile.ToJson()).Encode();
        return new SignedProfile(victim.UserId, profile, 99, victim.PublicKey, attacker.Sign(Bep44.SignatureBuffer([], 99, value)), value);
    }
}
