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
}
