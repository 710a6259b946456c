using GitTorrent.Cli.Commands;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Issues;

/// <summary>
/// <c>gittorrent issue</c> run in-process (the real command table entry, real git) against a home with an identity and
/// a clock the test moves, so ids and comment names are predictable.
/// </summary>
internal sealed class IssueCli : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GitTorrent.TestSupport.TempDirectory home = new("issue-home");

    public IssueCli(bool withIdentity = true)
    {
        if (withIdentity)
        {
            using var identity = UserIdentity.Generate();
            identity.Save(IdentityFile.PathIn(home.Path));
            UserId = identity.UserId.ToString();
        }
    }

    public string Home => home.Path;

    public string UserId { get; } = "";

    public SteppingClock Clock { get; } = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));

    public async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var app = new CliApp(CommandTable.Build(new IssueCommand(Clock)), output, error);
        var code = await app.RunAsync(["--home", Home, "issue", .. args], new Dictionary<string, string?>(), CancellationToken.None)
            .WaitAsync(Timeout);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts success; returns stdout without the final newline.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"gittorrent issue {string.Join(' ', args)} exited {code}: {error}");
        return output.TrimEnd('\n');
    }

    /// <summary>Runs and asserts exit code 1 with exactly one line on stderr; returns that line.</summary>
    public async Task<string> FailsAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 1, $"gittorrent issue {string.Join(' ', args)} exited {code}: {output}{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Assert.Single(lines);
    }

    /// <summary>A repository with a committer configured and one commit.</summary>
    public static TempGitRepo NewRepository()
    {
        var repo = new TempGitRepo();
        repo.Git("config", "user.name", "Issue Tester");
        repo.Git("config", "user.email", "tester@example.invalid");
        repo.Commit("README.md", "# project\n");
        return repo;
    }

    public void Dispose() => home.Dispose();

    internal sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
