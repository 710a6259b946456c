using GitTorrent.Engine.Profiles;

namespace GitTorrent.Cli;

/// <summary>Where a home folder keeps the user's identity (<c>$GITTORRENT_HOME/identity</c>).</summary>
public static class IdentityFile
{
    public static string PathIn(string home) => Path.Combine(home, "identity");

    public static UserIdentity Load(string home) => UserIdentity.Load(PathIn(home));

    /// <summary>The identity if one exists, else null.</summary>
    public static UserIdentity? TryLoad(string home) => File.Exists(PathIn(home)) ? Load(home) : null;
}
