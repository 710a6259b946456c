using System.Net;
using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests;

/// <summary>The portal on a real PostgreSQL (GITTORRENT_TEST_POSTGRES, started by ./test.sh); fails without it.</summary>
public sealed class PostgresPortalTests : PortalSuite
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HealthzIs503WhenTheDatabaseGoesAway()
    {
        await using var storage = CreateStorage();
        var oneTime = await AdminSession.CreateAsync(storage, "root");
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        using var admin = BoundClient.Create(portal.Http.BaseAddress!, "127.0.0.1", out _);
        await AdminSession.FirstSignInAsync(admin, "root", oneTime).WaitAsync(Timeout);

        using (var cts = new CancellationTokenSource(Timeout))
        {
            await TestPostgres.DropDatabaseAsync(storage.PostgresConnectionString!, cts.Token).WaitAsync(Timeout);
        }

        using var health = await portal.Http.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync().WaitAsync(Timeout));
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        // Where the database is and why it fails is for the admin (whose session holds while the database is away).
        Assert.False(database.TryGetProperty("description", out _));
        using var detailed = await admin.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, detailed.StatusCode);
        using var details = JsonDocument.Parse(await detailed.Content.ReadAsStringAsync().WaitAsync(Timeout));
        Assert.Contains("did not answer", details.RootElement.GetProperty("checks").GetProperty("database").GetProperty("description").GetString(),
            StringComparison.Ordinal);
    }

    private protected override PortalStorage CreateStorage() => PortalStorage.Postgres();
}
