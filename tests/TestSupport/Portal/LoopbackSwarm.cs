using System.Net;
using GitTorrent.Engine.Node;

namespace GitTorrent.TestSupport.Portal;

/// <summary>
/// A private DHT on loopback (<see cref="PrivateDht"/>: one live node, the portal's bootstrap, and departed nodes as the
/// real network has them) and a GitTorrent node joined to it that seeds users' repositories.
/// </summary>
public sealed class LoopbackSwarm : IAsyncDisposable
{
    private LoopbackSwarm(PrivateDht dht, GitTorrentNode seeder)
    {
        Dht = dht;
        Seeder = seeder;
    }

    public PrivateDht Dht { get; }

    public GitTorrentNode Seeder { get; }

    /// <summary>The portal's <c>GitTorrent__Bootstrap</c>.</summary>
    public string Bootstrap => Dht.Bootstrap;

    public static async Task<LoopbackSwarm> StartAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var dht = await PrivateDht.StartAsync(live: 1, departed: 2, cancellationToken: cancellationToken);
        try
        {
            var seeder = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
            {
                StateDirectory = stateDirectory,
                Bind = IPAddress.Loopback,
                Bootstrap = [dht.Bootstrap],
            }, null, cancellationToken);
            await seeder.Joined.WaitAsync(cancellationToken);
            return new LoopbackSwarm(dht, seeder);
        }
        catch
        {
            await dht.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Seeder.DisposeAsync();
        await Dht.DisposeAsync();
    }
}
