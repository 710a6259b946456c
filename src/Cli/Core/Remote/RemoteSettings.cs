using GitTorrent.Engine;

namespace GitTorrent.Cli.Remote;

/// <summary>What the remote backend needs from the environment: home folder, origin scheme, own user id.</summary>
public sealed record RemoteSettings(string Home, string OriginScheme, Hash20? OwnUserId)
{
    /// <summary>The bare repository the local daemon serves for <paramref name="repository"/>.</summary>
    public string StorePath(string repository) => Path.Combine(Home, "repos", repository + ".git");
}
