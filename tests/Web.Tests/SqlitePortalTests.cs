namespace GitTorrent.Web.Tests;

/// <summary>The portal on its embedded SQLite file.</summary>
public sealed class SqlitePortalTests : PortalSuite
{
    private protected override PortalStorage CreateStorage() => PortalStorage.Sqlite();
}
