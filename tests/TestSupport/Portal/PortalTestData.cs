using System.Security.Cryptography;
using System.Text;
using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.TestSupport.Portal;

/// <summary>
/// Seeds users, names and repositories straight into the database and the portal's store (the crawler is not
/// merged yet): real git repositories made with the real git, cloned bare to <c>repos/&lt;id&gt;/&lt;name&gt;.git</c>.
/// </summary>
public sealed class PortalTestData
{
    public const string HostileText = "<script>alert('x')</script>";
    public const string HostileFile = "<img src=x onerror=alert(1)>.txt";
    public const int BigFileBytes = 50 * 1024 * 1024;

    public string AliceId { get; } = RandomId();

    public string BobId { get; } = RandomId();

    public string ProjectFirstCommit { get; private set; } = "";

    public string ProjectHead { get; private set; } = "";

    public string HostileHead { get; private set; } = "";

    public static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>A user the portal knows by id (as if added on the portal) with nothing of a profile yet: the crawler fetches it.</summary>
    public static User KnownUser(GitTorrent.Engine.Profiles.UserIdentity identity, DateTimeOffset seen)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new User
        {
            UserId = identity.UserId.ToString(),
            PublicKey = identity.PublicKey,
            RawProfile = [],
            Signature = [],
            Seq = 0,
            FirstSeen = seen,
            LastSeen = seen,
        };
    }

    public async Task SeedAsync(PortalStorage storage, TimeSpan timeout)
    {
        var factory = await storage.MigrateAsync(timeout);

        using var project = new TempGitRepo();
        ProjectFirstCommit = project.Commit("README.md", "# Project\n\nSee [the code](src/main.c), ![logo](img/logo.png) and [escape](../../../etc/passwd).\n").ToString();
        Directory.CreateDirectory(Path.Combine(project.Root, "src"));
        project.Commit("src/main.c", "#include <stdio.h>\n/* entry point */\nint main(void) { return puts(\"hello gittorrent\"); }\n");
        project.Git("tag", "v1.0");
        project.Git("checkout", "-q", "-b", "feature/x");
        project.Commit("src/feature.c", "int feature(void) { return 42; }\n");
        project.Git("checkout", "-q", "main");
        for (var i = 0; i < 60; i++)
        {
            project.Git("-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-q", "--allow-empty", "-m", $"log entry {i}");
        }

        ProjectHead = project.Git("rev-parse", "HEAD").Trim();

        using var hostile = new TempGitRepo();
        hostile.Commit("README.md", $"# Hostile {HostileText}\n\n[click me](javascript:alert(document.cookie)) <img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">raw</a>\n");
        hostile.Commit(HostileFile, HostileText + "\n");
        File.WriteAllBytes(Path.Combine(hostile.Root, "binary.bin"), [0, 1, 2, 0, 255, 0, 60, 115, 99, 114, 105, 112, 116, 62]);
        await using (var big = File.Create(Path.Combine(hostile.Root, "big.txt")))
        {
            var line = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n");
            for (var written = 0; written < BigFileBytes; written += line.Length)
            {
                big.Write(line);
            }
        }

        hostile.Git("add", "-A");
        hostile.Git("-c", "user.name=Mallory", "-c", "user.email=m@example.invalid", "commit", "-q", "-m", $"evil {HostileText} <img src=x onerror=alert(3)>");
        HostileHead = hostile.Git("rev-parse", "HEAD").Trim();

        using var showcase = new TempGitRepo();
        ShowcaseRepository.Build(showcase);
        StoreBare(storage, AliceId, "showcase", showcase.Root);

        StoreBare(storage, AliceId, "project", project.Root);
        StoreBare(storage, AliceId, "hostile", hostile.Root);

        var now = DateTimeOffset.UtcNow;
        await using (var db = factory.CreateDbContext())
        {
            db.Users.Add(NewUser(AliceId, "Alice Example", now, [
                Repo(AliceId, "project", project, now),
                Repo(AliceId, "hostile", hostile, now.AddMinutes(-1)),
                Repo(AliceId, "showcase", showcase, now.AddMinutes(-2)),
            ]));
            db.Users.Add(NewUser(BobId, HostileText, now.AddMinutes(-5), [
                new Repository { UserId = BobId, Name = HostileText, LastUpdated = now },
                new Repository { UserId = BobId, Name = "pending-repo", Head = "refs/heads/main", LastUpdated = now,
                    Refs = [new RepositoryRef { Name = "refs/heads/main", Target = new string('a', 40) }] },
            ]));
            db.NameRegistrations.Add(new NameRegistration
            {
                Name = "alice", Kind = NameRegistrationKind.Claim, KeyHash = AliceId, Txid = new string('c', 64), Vout = 1,
                BlockHeight = 812345, BlockHash = new string('b', 64), TxIndex = 3, Status = NameRegistrationStatus.Settled, Valid = true,
                Reason = "first valid claim",
            });
            db.NameRegistrations.Add(new NameRegistration
            {
                Name = "alice", Kind = NameRegistrationKind.Claim, KeyHash = BobId, Txid = new string('d', 64), Vout = 0,
                BlockHeight = 812400, BlockHash = new string('e', 64), TxIndex = 1, Status = NameRegistrationStatus.Settled, Valid = false,
                Reason = "name already claimed",
            });
            // The indexed tip (the portal's default network, 6 confirmations): alice's CLAIM has settled (812345 + 144
            // is final), so the lookup makes Alice the owner and outbids Bob's later CLAIM, whatever the columns above say.
            db.ChainStates.Add(new ChainState { Chain = "main", Height = 812600, Hash = new string('f', 64), UpdatedAt = now });
            await db.SaveChangesAsync().WaitAsync(timeout);
        }
    }

    /// <summary>Adds one user with repositories (each cloned bare into the store) to a migrated database.</summary>
    public static async Task SeedUserAsync(PortalStorage storage, string userId, string displayName,
        IReadOnlyList<(string Name, TempGitRepo Repository)> repositories, TimeSpan timeout)
    {
        var factory = await storage.MigrateAsync(timeout);
        await using var db = factory.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, repository) in repositories)
        {
            StoreBare(storage, userId, name, repository.Root);
        }

        db.Users.Add(NewUser(userId, displayName, now, [.. repositories.Select(r => Repo(userId, r.Name, r.Repository, now))]));
        await db.SaveChangesAsync().WaitAsync(timeout);
    }

    public static void StoreBare(PortalStorage storage, string userId, string name, string workTree)
    {
        var target = Path.Combine(storage.DataDirectory, "repos", userId, name + ".git");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        TempGitRepo.Run(storage.DataDirectory, "clone", "-q", "--mirror", workTree, target);
    }

    public static Repository Repo(string userId, string name, TempGitRepo repo, DateTimeOffset updated)
    {
        var refs = repo.Git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Select(p => new RepositoryRef { Name = p[0], Target = p[1] })
            .ToList();
        refs.Add(new RepositoryRef { Name = "HEAD", Target = repo.Git("rev-parse", "HEAD").Trim() });
        return new Repository { UserId = userId, Name = name, Head = "refs/heads/main", LastUpdated = updated, Refs = refs };
    }

    public static User NewUser(string id, string displayName, DateTimeOffset seen, List<Repository> repositories)
    {
        var json = $"{{\"name\":{System.Text.Json.JsonSerializer.Serialize(displayName)},\"repositories\":{{}}}}";
        return new User
        {
            UserId = id,
            PublicKey = RandomNumberGenerator.GetBytes(32),
            RawProfile = Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(json)}:{json}"),
            Signature = RandomNumberGenerator.GetBytes(64),
            Seq = 42,
            DisplayName = displayName,
            FirstSeen = seen,
            LastSeen = seen,
            Repositories = repositories,
        };
    }
}
