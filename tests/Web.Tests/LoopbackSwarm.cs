using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Swarm;

namespace GitTorrent.Web.Tests;

/// <summary>A DHT node on loopback (the portal's bootstrap) and a GitTorrent node joined to it that seeds users' repositories.</summary>
internal sealed class LoopbackSwarm : IAsyncDisposable
{
    private LoopbackSwarm(DhtNode dht, GitTorrentNode seeder)
    {
        Dht = dht;
        Seeder = seeder;
    }

    public DhtNode Dht { get; }

    public GitTorrentNode Seeder { get; }

    /// <summary>The portal's <c>GitTorrent__Bootstrap</c>.</summary>
    public string Bootstrap => $"127.0.0.1:{Dht.LocalEndPoint.Port}";

    public static async Task<LoopbackSwarm> StartAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var dht = await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback }, null, cancellationToken);
        try
        {
            var seeder = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
            {
                StateDirectory = stateDirectory,
                Bind = IPAddress.Loopback,
                Bootstrap = [$"127.0.0.1:{dht.LocalEndPoint.Port}"],
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
