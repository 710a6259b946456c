using System.Text;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.TestSupport.Portal;

/// <summary>
/// A tracker repository with issues written by the CLI's library code (<see cref="IssueCommitter"/>), hostile issue
/// files, a branch proposing changes, and Bob's fork of it (one branch that merges cleanly, one that conflicts),
/// stored in the portal's store with their owners' rows, as the crawler and fetcher would leave them.
/// </summary>
public sealed class IssuePortalData
{
    public const string HostileBody = "Body <script>window.__pwned = 1</script> <iframe src=\"javascript:window.__pwned=2\"></iframe> "
        + "<img src=x onerror=\"window.__pwned=3\"> [click](javascript:window.__pwned=4) <a href=\"javascript:window.__pwned=5\">raw</a>\n\n**bold text**\n";

    public const int Fillers = 120;

    /// <summary>Open issues on main: the fillers, the proxy issue and the one with a markup title.</summary>
    public const int OpenIssues = Fillers + 2;

    public string AliceId { get; } = PortalTestData.RandomId();

    public string BobId { get; } = PortalTestData.RandomId();

    /// <summary>An author no profile names.</summary>
    public string StrangerId { get; } = PortalTestData.RandomId();

    public string ProxyIssue { get; private set; } = "";

    public string ClosedIssue { get; private set; } = "";

    /// <summary>A readable issue whose title and label are markup.</summary>
    public string HostileTitleIssue { get; private set; } = "";

    public const string HostileTitle = "<img src=x onerror=\"window.__pwned=8\"> & </a><script>window.__pwned=9</script>";

    public const string HostileLabel = "\"><svg onload=window.__pwned=10>";

    public string BranchIssue { get; private set; } = "";

    public string ForkPoint { get; private set; } = "";

    public IReadOnlyList<string> ProxyHistory { get; private set; } = [];

    public static IReadOnlyList<(string Path, string Reason)> HostileFiles { get; } =
    [
        (".issues/Not-An-Issue", "not an issue folder: the name is not 12 lowercase hex digits"),
        (".issues/aaaaaaaaaaaa/issue.md", "larger than 262144 bytes"),
        (".issues/bbbbbbbbbbbb/issue.md", "state is neither open nor closed"),
        (".issues/cccccccccccc/issue.md", "missing author"),
        (".issues/dddddddddddd/issue.md", "binary (contains NUL bytes)"),
    ];

    public async Task SeedAsync(PortalStorage storage, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var ct = cts.Token;
        await storage.MigrateAsync(timeout);
        using var work = new TempGitRepo();
        work.Git("config", "user.name", "Tracker Dev");
        work.Git("config", "user.email", "dev@example.invalid");
        work.Commit("README.md", "# Tracker\nfirst line\n");
        var tree = (await GitWorkTree.FindAsync(work.Root, ct))!;
        var alice = Hash20.Parse(AliceId);
        var bob = Hash20.Parse(BobId);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        ProxyIssue = await NewIssueAsync(tree, alice, start, "Clone hangs behind a proxy", ["bug", "network"], HostileBody, ct);
        await CommentAsync(tree, ProxyIssue, bob, start.AddHours(1), "Same here, **behind squid**.", ct);
        HostileTitleIssue = await NewIssueAsync(tree, Hash20.Parse(StrangerId), start.AddMinutes(90), HostileTitle, [HostileLabel], "", ct);
        ClosedIssue = await NewIssueAsync(tree, alice, start.AddHours(2), "An issue that was closed", [], "done", ct);
        // A branch left behind while the issue was still open: it changed nothing, so it proposes nothing.
        work.Git("branch", "stale");
        await SetStateAsync(tree, ClosedIssue, IssueState.Closed, ct);
        // Fillers in one commit, as a script would: open issues for paging.
        var fillers = Enumerable.Range(0, Fillers).Select(i =>
        {
            var created = start.AddDays(1).AddMinutes(i);
            var id = IssueId.Derive(alice, created.ToUnixTimeSeconds(), $"Filler issue {i:000}");
            return new IssueFileChange(IssuePaths.IssueFileOf(id), IssueFormat.WriteIssue($"Filler issue {i:000}", alice, created, IssueState.Open, [], ""), true);
        }).ToList();
        await CommitAsync(tree, fillers, "fillers", ct);
        await CommentAsync(tree, ProxyIssue, Hash20.Parse(StrangerId), start.AddHours(3), "A stranger's comment.", ct);
        WriteHostileFiles(work.Root);
        work.Git("add", "-A");
        work.Git("commit", "-q", "-m", "hostile issue files");
        ForkPoint = work.Git("rev-parse", "HEAD").Trim();

        // Bob's fork: a comment and a code change (merges cleanly); another branch changes README's line (conflicts).
        work.Git("checkout", "-q", "-b", "bob-main");
        await CommentAsync(tree, ProxyIssue, bob, start.AddDays(3), "Comment from Bob's fork.", ct);
        work.Commit("feature.txt", "fork feature\n");
        work.Git("checkout", "-q", "-b", "bob-conflict", ForkPoint);
        work.Commit("README.md", "# Tracker\nbob's line\n");
        work.Git("checkout", "-q", "main");
        work.Commit("README.md", "# Tracker\nalice's line\n");

        // A branch of Alice's repository proposing a new issue, a comment and a reopen.
        work.Git("checkout", "-q", "-b", "triage");
        BranchIssue = await NewIssueAsync(tree, alice, start.AddDays(4), "Proposed on a branch", ["triage"], "from triage", ct);
        await CommentAsync(tree, ProxyIssue, alice, start.AddDays(4).AddMinutes(1), "Comment from the triage branch.", ct);
        await SetStateAsync(tree, ClosedIssue, IssueState.Open, ct);
        work.Git("checkout", "-q", "main");
        ProxyHistory = work.Git("log", "--format=%H", "main", "--", IssuePaths.Folder(ProxyIssue)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var aliceStore = Store(storage, AliceId, "tracker", work.Root, new() { ["main"] = "main", ["triage"] = "triage", ["stale"] = "stale" });
        var bobStore = Store(storage, BobId, "tracker", work.Root, new() { ["main"] = "bob-main", ["conflict"] = "bob-conflict" });

        var now = DateTimeOffset.UtcNow;
        await using (var db = storage.OpenFactory().CreateDbContext())
        {
            db.Users.Add(PortalTestData.NewUser(AliceId, "Alice Tracker", now, [Row(AliceId, aliceStore, now)]));
            db.Users.Add(PortalTestData.NewUser(BobId, "Bob Forker", now, [Row(BobId, bobStore, now)]));
            db.NameRegistrations.Add(new NameRegistration
            {
                Name = "alice", Kind = NameRegistrationKind.Claim, KeyHash = AliceId, Txid = new string('c', 64), Vout = 1,
                BlockHeight = 812345, BlockHash = new string('b', 64), TxIndex = 3, Status = NameRegistrationStatus.Settled, Valid = true,
                Reason = "first valid claim",
            });
            db.ChainStates.Add(new ChainState { Chain = "main", Height = 812600, Hash = new string('f', 64), UpdatedAt = now });
            await db.SaveChangesAsync(ct);
        }
    }

    private static void WriteHostileFiles(string root)
    {
        void Write(string path, byte[] bytes)
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, bytes);
        }

        var author = new string('1', 40);
        Write(".issues/aaaaaaaaaaaa/issue.md", Encoding.UTF8.GetBytes(
            $"---\ntitle: {new string('T', 1_000_000)}\nauthor: {author}\ncreated: 2026-01-01T00:00:00Z\nstate: open\n---\n"));
        Write(".issues/bbbbbbbbbbbb/issue.md", Encoding.UTF8.GetBytes(
            $"---\ntitle: scripted state\nauthor: {author}\ncreated: 2026-01-01T00:00:00Z\nstate: <script>window.__pwned=6</script>\n---\n"));
        Write(".issues/cccccccccccc/issue.md", Encoding.UTF8.GetBytes("---\ntitle: <img src=x onerror=window.__pwned=7>\n---\n"));
        Write(".issues/dddddddddddd/issue.md", [0x2d, 0x2d, 0x2d, 0x0a, 0, 0xff, 0xfe, 0x3c, 0x73]);
        Write(".issues/Not-An-Issue/issue.md", Encoding.UTF8.GetBytes(IssueFormat.WriteIssue("x", Hash20.Parse(author), DateTimeOffset.UnixEpoch, IssueState.Open, [], "")));
    }

    private static async Task<string> NewIssueAsync(GitWorkTree tree, Hash20 author, DateTimeOffset created, string title,
        IReadOnlyList<string> labels, string body, CancellationToken ct)
    {
        var id = IssueId.Derive(author, created.ToUnixTimeSeconds(), title);
        await CommitAsync(tree, [new IssueFileChange(IssuePaths.IssueFileOf(id), IssueFormat.WriteIssue(title, author, created, IssueState.Open, labels, body), true)],
            $"issue {id}: {title}", ct);
        return id;
    }

    private static Task CommentAsync(GitWorkTree tree, string id, Hash20 author, DateTimeOffset created, string body, CancellationToken ct) =>
        CommitAsync(tree, [new IssueFileChange(IssuePaths.CommentFileOf(id, IssueFormat.CommentFileName(created, author)),
            IssueFormat.WriteComment(author, created, body), true)], $"issue {id}: comment", ct);

    private static async Task SetStateAsync(GitWorkTree tree, string id, IssueState state, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(tree.TopLevel!, IssuePaths.IssueFileOf(id)), ct);
        await CommitAsync(tree, [new IssueFileChange(IssuePaths.IssueFileOf(id), IssueFormat.WithState(text, state), false)],
            $"issue {id}: {IssueFormat.FormatState(state)}", ct);
    }

    private static async Task CommitAsync(GitWorkTree tree, IReadOnlyList<IssueFileChange> changes, string message, CancellationToken ct)
    {
        var committer = new IssueCommitter(tree);
        var (target, refusal) = await committer.PrepareAsync(ct);
        if (target is null)
        {
            throw new InvalidOperationException($"the issue commit was refused: {refusal}");
        }
        var result = await committer.CommitAsync(target, changes, message, ct);
        if (result.Commit is null)
        {
            throw new InvalidOperationException($"the issue commit failed: {result.Error}");
        }
    }

    /// <summary>A bare copy in the store holding <paramref name="branches"/> (store name → work branch), HEAD on main.</summary>
    private static string Store(PortalStorage storage, string userId, string name, string work, Dictionary<string, string> branches)
    {
        var target = Path.Combine(storage.DataDirectory, "repos", userId, name + ".git");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        TempGitRepo.Run(storage.DataDirectory, "init", "-q", "--bare", "-b", "main", target);
        TempGitRepo.Run(target, ["fetch", "-q", work, .. branches.Select(b => $"refs/heads/{b.Value}:refs/heads/{b.Key}")]);
        return target;
    }

    private static Repository Row(string userId, string bare, DateTimeOffset now)
    {
        var refs = TempGitRepo.Run(bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))
            .Select(p => new RepositoryRef { Name = p[0], Target = p[1] }).ToList();
        refs.Add(new RepositoryRef { Name = "HEAD", Target = refs.Single(r => r.Name == "refs/heads/main").Target });
        return new Repository { UserId = userId, Name = "tracker", Head = "refs/heads/main", LastUpdated = now, Refs = refs };
    }
}
