namespace GitTorrent.Cli.Tests.Remote;

/// <summary>One private DHT shared by the tests of a class (each test starts its own daemons and homes).</summary>
public sealed class PrivateNetworkFixture : IAsyncLifetime
{
    private PrivateNetwork? _network;

    internal PrivateNetwork Network => _network ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync() => _network = await PrivateNetwork.StartAsync();

    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }
}
