using GitTorrent.Engine;
using GitTorrent.Engine.Profiles;

namespace GitTorrent.Cli.Remote;

/// <summary>Where the key and name forms get a user's signed profile (BEP 44) and resolve names.</summary>
public interface IProfileSource
{
    /// <summary>The verified profile with the highest seq, with the manifest expanded; null when none is found.</summary>
    Task<UserProfile?> GetProfileAsync(Hash20 userId, CancellationToken cancellationToken);

    /// <summary>The user id owning a registered username, or null.</summary>
    Task<Hash20?> ResolveNameAsync(string name, CancellationToken cancellationToken);
}
