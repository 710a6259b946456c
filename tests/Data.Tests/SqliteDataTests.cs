namespace GitTorrent.Data.Tests;

/// <summary>The data suite on the embedded SQLite file.</summary>
public sealed class SqliteDataTests(SqliteDatabaseFixture fixture) : DataSuite<SqliteDatabaseFixture>(fixture)
{
    [Fact]
    public void DatabaseIsAFileInTheDataFolder()
    {
        Assert.True(File.Exists(Path.Combine(Fixture.DataDirectory, DatabaseSettings.SqliteFileName)));
    }
}
