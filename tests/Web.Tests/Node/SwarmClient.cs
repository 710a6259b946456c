using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>What the swarm tests of a portal share: waiting for its profile in a private DHT, and a helper's environment.</summary>
internal static class SwarmClient
{
    /// <summary>Waits until the portal's signed profile in the DHT lists <paramref name="tip"/>.</summary>
    public static async Task WaitForProfileAsync(PrivateDht dht, string portalId, string tip, PortalProcess portal, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var item = await dht.Nodes[0].GetMutableAsync(GitTorrent.Engine.Hash20.Parse(portalId), null, cancellationToken);
            if (item is not null && System.Text.Encoding.UTF8.GetString(item.Value).Contains(tip, StringComparison.Ordinal))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "the portal's profile with the mirror never reached the DHT:\n" + portal.Runner.Describe());
            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>The environment of <c>git clone gittorrent://...</c> with our helper on PATH, in the private DHT, on loopback.</summary>
    public static Dictionary<string, string?> Environment(string home, string bootstrap) => HelperEnvironment.For(home, bootstrap);
}
