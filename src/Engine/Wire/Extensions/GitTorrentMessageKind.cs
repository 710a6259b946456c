namespace GitTorrent.Engine.Wire.Extensions;

public enum GitTorrentMessageKind
{
    /// <summary>Client to seeder: <c>{sha, have?}</c>.</summary>
    Request,
    /// <summary>Seeder to client: <c>{infoHash}</c>.</summary>
    Reply,
    /// <summary>Seeder to client: <c>{sha, error}</c>.</summary>
    Error,
}
