namespace GitTorrent.Engine.Git;

/// <summary>A pack build was not started because a bound was reached (<see cref="Limit"/>); the requester may ask again later.</summary>
public sealed class PackBuildRefusedException(string limit) : GitTorrentException($"pack build refused: {limit} reached")
{
    /// <summary>The setting whose bound was reached.</summary>
    public string Limit { get; } = limit;
}
