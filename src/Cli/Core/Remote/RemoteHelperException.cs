using GitTorrent.Engine;

namespace GitTorrent.Cli.Remote;

/// <summary>git sent something the helper protocol does not allow.</summary>
public sealed class RemoteHelperException(string message) : GitTorrentException(message);
