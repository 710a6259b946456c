using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;

namespace GitTorrent.Cli.Remote;

/// <summary>What the remote backend needs from the environment: home folder, origin scheme, own user id, fetch settings.</summary>
public sealed record RemoteSettings(string Home, string OriginScheme, Hash20? OwnUserId)
{
    /// <summary>How fetches use the swarm (the swarm timeout from <c>GITTORRENT_SWARM_TIMEOUT</c>).</summary>
    public TipFetchOptions Fetch { get; init; } = new();

    /// <summary>The bare repository the local daemon serves for <paramref name="repository"/>.</summary>
    public string StorePath(string repository) => Path.Combine(Home, "repos", repository + ".git");
}
