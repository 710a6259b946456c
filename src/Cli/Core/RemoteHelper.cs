namespace GitTorrent.Cli;

/// <summary>
/// Entry of <c>git-remote-gittorrent</c>. git runs it as <c>git-remote-gittorrent &lt;remote&gt; &lt;url&gt;</c> for
/// <c>gittorrent://</c> URLs and speaks the remote-helper protocol on stdin/stdout (the helper issue implements it).
/// </summary>
public static class RemoteHelper
{
    public const string Usage =
        "usage: git-remote-gittorrent <remote-name> <gittorrent://url>\n"
        + "  git runs this helper for gittorrent:// URLs (git clone gittorrent://<user id or name>/<repo>);\n"
        + "  it is not meant to be run by hand.";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not [_, var url] || !url.StartsWith("gittorrent://", StringComparison.Ordinal))
        {
            await error.WriteLineAsync(Usage);
            return ExitCodes.NotImplemented;
        }

        await error.WriteLineAsync("git-remote-gittorrent: not implemented yet");
        return ExitCodes.NotImplemented;
    }
}
