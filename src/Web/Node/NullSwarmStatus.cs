namespace GitTorrent.Web.Node;

/// <summary>The default until the engine lands: not running, zero totals, everything per repository unknown.</summary>
public sealed class NullSwarmStatus : ISwarmStatus
{
    public bool IsRunning => false;

    public SwarmSnapshot GetSnapshot() => SwarmSnapshot.Empty;

    public RepositorySwarmInfo GetRepository(string userId, string repository) => RepositorySwarmInfo.Unknown;

    public RepositoryFetchProgress? GetFetchProgress(string userId, string repository) => null;
}
