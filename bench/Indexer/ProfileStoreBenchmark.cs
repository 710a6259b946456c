using System.Diagnostics;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Profiles;

namespace GitTorrent.Bench.Indexer;

/// <summary>
/// (b) ProfileStore.StoreAsync throughput into PostgreSQL from pre-built, validly signed profile items: first sight of
/// every user (inserts), a newer seq for every user with changed refs (updates), and the same items again (unchanged).
/// </summary>
internal static class ProfileStoreBenchmark
{
    public static async Task<int> RunAsync(string postgres, int users, int batch)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = cts.Token;
        var clock = Stopwatch.StartNew();
        var identities = Enumerable.Range(0, users).Select(_ => UserIdentity.Generate()).ToList();
        var first = identities.Select((id, i) => Sign(id, i, seq: 1)).ToList();
        var second = identities.Select((id, i) => Sign(id, i, seq: 2)).ToList();
        Console.WriteLine($"{users} users, 2 signed items each, built in {clock.Elapsed.TotalSeconds:F1} s");

        await using (var warm = await BenchDatabase.CreateAsync(postgres, ct))
        {
            var store = new ProfileStore(warm.Factory, TimeProvider.System);
            await StoreAllAsync(store, first[..Math.Min(first.Count, 2 * batch)], batch, ct); // warm-up (JIT, EF model)
        }
        await using var database = await BenchDatabase.CreateAsync(postgres, ct);
        var profiles = new ProfileStore(database.Factory, TimeProvider.System);
        var inserted = await StoreAllAsync(profiles, first, batch, ct);
        var updated = await StoreAllAsync(profiles, second, batch, ct);
        var unchanged = await StoreAllAsync(profiles, second, batch, ct);

        Console.WriteLine();
        Console.WriteLine($"| ProfileStore.StoreAsync, {users} users, batches of {batch} | profiles/s |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| new users (seq 1, 1-3 repositories with 2-4 refs) | {inserted:F0} |");
        Console.WriteLine($"| newer seq for every user (refs changed, one repository replaced) | {updated:F0} |");
        Console.WriteLine($"| same items again (unchanged) | {unchanged:F0} |");
        Console.WriteLine();
        var worst = Math.Min(inserted, updated);
        Console.WriteLine($"slowest stored rate {worst:F0}/s (target >= 2,000/s){(worst >= 2000 ? "" : "  BELOW TARGET")}");
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
        foreach (var id in identities)
        {
            id.Dispose();
        }
        return 0;
    }

    private static async Task<double> StoreAllAsync(ProfileStore store, IReadOnlyList<SignedProfile> items, int batch, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (stored, unchanged) = (0, 0);
        for (var i = 0; i < items.Count; i += batch)
        {
            var result = await store.StoreAsync([.. items.Skip(i).Take(batch)], ct);
            if (result.Rejected != 0)
            {
                throw new InvalidOperationException($"{result.Rejected} valid profiles were rejected");
            }
            (stored, unchanged) = (stored + result.Stored, unchanged + result.Unchanged);
        }
        if (stored + unchanged != items.Count)
        {
            throw new InvalidOperationException($"stored {stored} + unchanged {unchanged} != {items.Count}");
        }
        return items.Count / clock.Elapsed.TotalSeconds;
    }

    private static SignedProfile Sign(UserIdentity identity, int index, long seq)
    {
        var profile = new UserProfile { Name = $"User {index}", Email = $"user{index}@example.org" };
        var repositories = 1 + index % 3;
        for (var r = 0; r < repositories; r++)
        {
            // seq 2 renames the last repository and moves every ref.
            var name = seq > 1 && r == repositories - 1 ? $"renamed{r}" : $"repo{r}";
            var refs = new SortedDictionary<string, Hash20>(StringComparer.Ordinal)
            {
                ["HEAD"] = Target(index, r, seq, 0),
                ["refs/heads/main"] = Target(index, r, seq, 0),
            };
            for (var extra = 0; extra < index % 3; extra++)
            {
                refs[$"refs/tags/v{extra}"] = Target(index, r, seq, extra + 1);
            }
            profile.Repositories[name] = refs;
        }
        var value = new BString(profile.ToJson()).Encode();
        return new SignedProfile(identity.UserId, profile, seq, identity.PublicKey, identity.Sign(Bep44.SignatureBuffer([], seq, value)), value);
    }

    private static Hash20 Target(int user, int repository, long seq, int which) =>
        Hash20.Sha1(System.Text.Encoding.UTF8.GetBytes($"{user}/{repository}/{seq}/{which}"));
}
