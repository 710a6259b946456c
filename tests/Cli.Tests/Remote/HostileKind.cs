namespace GitTorrent.Cli.Tests.Remote;

/// <summary>How a <see cref="HostileSeeder"/> misbehaves.</summary>
internal enum HostileKind
{
    /// <summary>Answers with the infohash of a real, seeded pack of the parent commit: the wanted commit is missing.</summary>
    WrongPack,

    /// <summary>Answers with the infohash of the right pack but serves bytes that fail every piece hash.</summary>
    CorruptPieces,

    /// <summary>Accepts the handshake, speaks ut_gittorrent, and never answers the request.</summary>
    Silent,
}
