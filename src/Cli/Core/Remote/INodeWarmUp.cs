namespace GitTorrent.Cli.Remote;

/// <summary>A swarm whose node can start joining the DHT before it is needed (while the origin lists its refs).</summary>
public interface INodeWarmUp
{
    /// <summary>Starts the node in the background, once; returns at once.</summary>
    void WarmUp();
}
