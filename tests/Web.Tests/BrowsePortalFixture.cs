namespace GitTorrent.Web.Tests;

/// <summary>One portal with <see cref="PortalTestData"/> seeded, shared by the browsing tests of one provider.</summary>
public abstract class BrowsePortalFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    internal PortalStorage Storage { get; private set; } = default!;

    internal PortalTestData Data { get; } = new();

    internal PortalProcess Portal { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Storage = CreateStorage();
        await Data.SeedAsync(Storage, Timeout).WaitAsync(Timeout);
        Portal = await PortalProcess.StartAsync(Storage).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        if (Portal is not null)
        {
            await Portal.DisposeAsync();
        }

        await Storage.DisposeAsync();
    }

    private protected abstract PortalStorage CreateStorage();
}

/// <summary>The browsing portal on its embedded SQLite file.</summary>
public sealed class SqliteBrowseFixture : BrowsePortalFixture
{
    private protected override PortalStorage CreateStorage() => PortalStorage.Sqlite();
}

/// <summary>The browsing portal on the test run's PostgreSQL.</summary>
public sealed class PostgresBrowseFixture : BrowsePortalFixture
{
    private protected override PortalStorage CreateStorage() => PortalStorage.Postgres();
}
