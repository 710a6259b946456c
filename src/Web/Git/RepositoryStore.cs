using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// The portal's bare repositories: <c>&lt;DataDir&gt;/repos/&lt;userId&gt;/&lt;repo&gt;.git</c>. Every path is built
/// from a 40-hex user id and a name that passes <see cref="RepositoryScanner.IsValidName"/>, so no request can name
/// a folder outside the store.
/// </summary>
public sealed class RepositoryStore(IOptions<PortalOptions> options)
{
    public string Root { get; } = Path.Combine(options.Value.DataDir, "repos");

    /// <summary>The folder of one repository, or null when the id or the name is not acceptable.</summary>
    public string? PathOf(string userId, string repository)
    {
        if (!Hash20.IsLowerHex40(userId) || !RepositoryScanner.IsValidName(repository))
        {
            return null;
        }

        return Path.Combine(Root, userId, repository + ".git");
    }

    /// <summary>True when the repository has arrived: a bare git directory exists at its path.</summary>
    public bool Exists(string userId, string repository) =>
        PathOf(userId, repository) is { } path && RepositoryScanner.IsGitDirectory(path);

    /// <summary>
    /// The repositories one user has in the store, as the engine's seed flow wants them. The engine integrator
    /// seeds <c>Served(portalUserId)</c> (mirrors) plus every fetched user's repositories.
    /// </summary>
    public IReadOnlyList<ServedRepository> Served(string userId)
    {
        if (!Hash20.IsLowerHex40(userId))
        {
            return [];
        }

        var folder = Path.Combine(Root, userId);
        return Directory.Exists(folder) ? RepositoryScanner.Scan(folder) : [];
    }
}
