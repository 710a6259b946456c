namespace GitTorrent.Data.Entities;

/// <summary>
/// The portal's own ed25519 identity, shared by every replica (one row, <see cref="SingletonId"/>): the seed is
/// encrypted with ASP.NET Core Data Protection, whose keys live in <c>data_protection_keys</c>; <see cref="Seq"/> is the
/// last BEP 44 seq handed out for the portal's profile, advanced atomically (compare and swap) by whichever replica signs.
/// </summary>
public sealed class PortalKey
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>40 lowercase hex: SHA-1 of <see cref="PublicKey"/>.</summary>
    public required string UserId { get; set; }

    public required byte[] PublicKey { get; set; }

    /// <summary>The 32-byte RFC 8032 seed, protected by Data Protection (purpose <c>GitTorrent.PortalKey</c>).</summary>
    public required byte[] ProtectedSeed { get; set; }

    /// <summary>The last seq used for the portal's profile (0 = none yet).</summary>
    public long Seq { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
