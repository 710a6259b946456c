namespace GitTorrent.Data.Entities;

/// <summary>An administrator of the portal's web UI.</summary>
public sealed class PortalAdmin
{
    public long Id { get; set; }

    public required string UserName { get; set; }

    /// <summary>PBKDF2 hash in ASP.NET Core Identity's <c>PasswordHasher</c> format (never the password).</summary>
    public required string PasswordHash { get; set; }

    /// <summary>True while the one-time password printed by <c>admin create-user</c> is still in use.</summary>
    public bool MustChangePassword { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Random text, new at every password change. Each sign-in cookie carries the stamp it was issued with and is
    /// refused once it differs, so a password change signs out every other session (on any replica).
    /// </summary>
    public string SecurityStamp { get; set; } = string.Empty;
}
