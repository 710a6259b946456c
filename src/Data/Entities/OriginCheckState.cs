namespace GitTorrent.Data.Entities;

/// <summary>What the last comparison of a repository's origin with what the portal serves found.</summary>
public enum OriginCheckState
{
    /// <summary>Every branch and tag the origin advertises points where ours does, and we have none it lacks.</summary>
    Agrees,

    /// <summary>Some refs point elsewhere, exist only at the origin or only here (<see cref="OriginCheck.DifferingRefs"/>).</summary>
    Differs,

    /// <summary><c>git ls-remote</c> failed or timed out (<see cref="OriginCheck.Error"/>).</summary>
    Unreachable,
}
