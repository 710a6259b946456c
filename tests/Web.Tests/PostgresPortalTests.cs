namespace GitTorrent.Web.Tests;

/// <summary>The portal on a real PostgreSQL (GITTORRENT_TEST_POSTGRES, started by ./test.sh); fails without it.</summary>
public sealed class PostgresPortalTests : PortalSuite
{
    private protected override PortalStorage CreateStorage() => PortalStorage.Postgres();
}
