using System.Security.Claims;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Admin;

/// <summary>
/// Cookie sign-in for portal admins (<c>portal_admins</c>, PBKDF2 hashes from <c>admin create-user</c>). An admin
/// still on the one-time password gets only the <see cref="ChangePasswordRole"/> until they set a new one.
/// </summary>
public sealed class AdminSignIn(IDbContextFactory<GitTorrentDbContext> factory, TimeProvider time)
{
    public const string Policy = "PortalAdmin";
    public const string AdminRole = "portal-admin";
    public const string ChangePasswordRole = "portal-admin-must-change-password";
    public const int MinPasswordLength = 12;

    private static readonly PasswordHasher<PortalAdmin> Hasher = new();

    /// <summary>Checks the password; on success signs in and returns the admin row, else null.</summary>
    public async Task<PortalAdmin?> SignInAsync(HttpContext context, string userName, string password, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var admin = await db.PortalAdmins.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (admin is null)
        {
            // Same work for unknown names, so timing does not tell which names exist.
            Hasher.VerifyHashedPassword(new PortalAdmin { UserName = userName, PasswordHash = "" }, DummyHash, password);
            return null;
        }

        var result = Hasher.VerifyHashedPassword(admin, admin.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            admin.PasswordHash = Hasher.HashPassword(admin, password);
            await db.SaveChangesAsync(cancellationToken);
        }

        await IssueCookieAsync(context, admin);
        return admin;
    }

    /// <summary>Sets a new password (clearing the one-time flag) and re-issues the cookie with full rights.</summary>
    public async Task<string?> ChangePasswordAsync(HttpContext context, string userName, string current, string next, CancellationToken cancellationToken)
    {
        if (next.Length < MinPasswordLength)
        {
            return $"The new password needs at least {MinPasswordLength} characters.";
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var admin = await db.PortalAdmins.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (admin is null || Hasher.VerifyHashedPassword(admin, admin.PasswordHash, current) == PasswordVerificationResult.Failed)
        {
            return "The current password is wrong.";
        }

        if (next == current)
        {
            return "The new password must differ from the current one.";
        }

        admin.PasswordHash = Hasher.HashPassword(admin, next);
        admin.MustChangePassword = false;
        await db.SaveChangesAsync(cancellationToken);
        await IssueCookieAsync(context, admin);
        return null;
    }

    private async Task IssueCookieAsync(HttpContext context, PortalAdmin admin)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, admin.UserName),
                new Claim(ClaimTypes.Role, admin.MustChangePassword ? ChangePasswordRole : AdminRole),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, IssuedUtc = time.GetUtcNow() });
    }

    private static readonly string DummyHash = Hasher.HashPassword(new PortalAdmin { UserName = "-", PasswordHash = "" }, "not a password");
}
