using GitTorrent.Data.Entities;

namespace GitTorrent.Web.Admin;

/// <summary>The outcome of a sign-in: the admin (signed in), or refused: wrong name or password, or not checked at all
/// until <see cref="RetryAfter"/> has passed (rate limit or lockout).</summary>
public sealed record AdminSignInResult(PortalAdmin? Admin, TimeSpan? RetryAfter)
{
    public static readonly AdminSignInResult Wrong = new(null, null);
}
