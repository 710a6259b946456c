namespace GitTorrent.Engine;

/// <summary>Root of every exception the engine throws on purpose.</summary>
public class GitTorrentException : Exception
{
    public GitTorrentException(string message) : base(message) { }
    public GitTorrentException(string message, Exception inner) : base(message, inner) { }
}
