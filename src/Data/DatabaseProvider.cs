namespace GitTorrent.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
