using GitTorrent.Cli.Remote;
using GitTorrent.Engine;

namespace GitTorrent.Cli;

/// <summary>
/// Entry of <c>git-remote-gittorrent</c>. git runs it as <c>git-remote-gittorrent &lt;remote&gt; &lt;url&gt;</c> for
/// <c>gittorrent://</c> URLs, with GIT_DIR set, and speaks the remote-helper protocol on stdin/stdout.
/// Everything for the user goes to stderr.
/// </summary>
public static class RemoteHelper
{
    public const string Usage =
        "usage: git-remote-gittorrent <remote-name> <gittorrent://url>\n"
        + "  git runs this helper for gittorrent:// URLs (git clone gittorrent://<user id, name or host>/<repo>);\n"
        + "  it is not meant to be run by hand.";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error,
        IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not [_, var text])
        {
            await error.WriteLineAsync(Usage);
            return ExitCodes.NotImplemented;
        }
        if (!GitTorrentUrl.TryParse(text, out var url, out var urlError))
        {
            await error.WriteLineAsync(Usage);
            await error.WriteLineAsync($"fatal: {urlError}");
            return ExitCodes.NotImplemented;
        }
        var parsed = CliOptionsParser.Parse([], environment);
        if (!parsed.Succeeded)
        {
            await error.WriteLineAsync($"fatal: gittorrent: {parsed.Error}");
            return ExitCodes.Failure;
        }
        var options = parsed.Options!;
        var gitDir = environment.TryGetValue("GIT_DIR", out var dir) && !string.IsNullOrEmpty(dir) ? Path.GetFullPath(dir) : null;
        if (gitDir is null)
        {
            await error.WriteLineAsync("fatal: gittorrent: GIT_DIR is not set; this helper is run by git, e.g. 'git clone gittorrent://...'");
            return ExitCodes.Failure;
        }
        try
        {
            using var identity = IdentityFile.TryLoad(options.Home);
            var progress = new HelperProgress(error);
            var settings = new RemoteSettings(options.Home, options.OriginScheme, identity?.UserId)
            {
                Fetch = new Engine.Fetch.TipFetchOptions { SwarmTimeout = options.SwarmTimeout },
            };
            await using var session = new HelperSession(options, progress, identity);
            await using var backend = new GitTorrentRemote(url, gitDir, settings, progress, session, session, session);
            return await new RemoteHelperProtocol(input, output, backend).RunAsync(cancellationToken);
        }
        catch (GitTorrentException e)
        {
            await error.WriteLineAsync($"fatal: gittorrent: {RemoteText.Printable(e.Message)}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("fatal: gittorrent: interrupted");
            return 130;
        }
    }
}
