namespace GitTorrent.Web.Tests;

/// <summary>One portal on SQLite with <see cref="PortalTestData"/> seeded, shared by the browsing tests.</summary>
public sealed class BrowsePortalFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    internal PortalStorage Storage { get; } = PortalStorage.Sqlite();

    internal PortalTestData Data { get; } = new();

    internal PortalProcess Portal { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await Data.SeedAsync(Storage, Timeout).WaitAsync(Timeout);
        Portal = await PortalProcess.StartAsync(Storage).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Storage.DisposeAsync();
    }
}
