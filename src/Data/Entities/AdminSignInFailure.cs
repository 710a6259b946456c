namespace GitTorrent.Data.Entities;

/// <summary>
/// Failed admin sign-ins of one existing admin name from one client address, for the lockout with backoff. Kept in the
/// database so a restart does not reset it and replicas share it; removed on a successful sign-in and a day after the
/// last failure.
/// </summary>
public sealed class AdminSignInFailure
{
    public long Id { get; set; }

    public required string UserName { get; set; }

    /// <summary>The client address key (an IPv4 address or an IPv6 /64).</summary>
    public required string Address { get; set; }

    /// <summary>Failures in a row since the last success.</summary>
    public int Failures { get; set; }

    public DateTimeOffset LastFailure { get; set; }

    /// <summary>No sign-in of this name from this address is checked before then.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
}
