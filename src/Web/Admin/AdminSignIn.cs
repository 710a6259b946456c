using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using GitTorrent.Engine.Base;

namespace GitTorrent.Web.Admin;

/// <summary>
/// Cookie sign-in for portal admins (<c>portal_admins</c>, PBKDF2 hashes from <c>admin create-user</c>). An admin
/// still on the one-time password gets only the <see cref="ChangePasswordRole"/> until they set a new one.
/// Bounds (<see cref="AdminSignInOptions"/>): posts per address are limited before this runs (<see cref="AdminRateLimiting"/>);
/// here, attempts per user name (in memory) and a lockout with backoff per admin and address (in the database); no
/// password is hashed for a refused attempt. Every request of a session checks the admin's security stamp, which a
/// password change renews: the other sessions are signed out.
/// </summary>
public sealed partial class AdminSignIn : IDisposable
{
    public const string Policy = "PortalAdmin";
    public const string AdminRole = "portal-admin";
    public const string ChangePasswordRole = "portal-admin-must-change-password";
    public const string StampClaim = "gittorrent:security-stamp";
    public const int MinPasswordLength = 12;

    /// <summary>Failure rows are forgotten this long after their last failure.</summary>
    public static readonly TimeSpan FailureMemory = TimeSpan.FromDays(1);

    private static readonly PasswordHasher<PortalAdmin> Hasher = new();

    private readonly IDbContextFactory<GitTorrentDbContext> _factory;
    private readonly TimeProvider _time;
    private readonly PortalCounters _counters;
    private readonly AdminSignInOptions _options;
    private readonly ILogger<AdminSignIn> _logger;
    private readonly PartitionedRateLimiter<string> _perUserName;

    // The last stamp each admin's sessions were checked against: used only while the database does not answer.
    private readonly ConcurrentDictionary<string, string> _lastStamps = new(StringComparer.Ordinal);

    public AdminSignIn(IDbContextFactory<GitTorrentDbContext> factory, TimeProvider time, PortalCounters counters,
        IOptions<AdminSignInOptions> options, ILogger<AdminSignIn> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _time = time;
        _counters = counters;
        _options = options.Value;
        _logger = logger;
        _perUserName = PartitionedRateLimiter.Create<string, string>(name => RateLimitPartition.GetTokenBucketLimiter(name,
            _ => TokenBucket(_options.AttemptsPerUserName, _options.UserNameWindow)));
    }

    /// <summary>N tokens refilled one at a time, evenly over <paramref name="window"/>; no queue.</summary>
    public static TokenBucketRateLimiterOptions TokenBucket(int attempts, TimeSpan window) => new()
    {
        TokenLimit = attempts,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = window / attempts,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>Checks the password unless the name is rate limited or locked out from this address; signs in on success.</summary>
    public async Task<AdminSignInResult> SignInAsync(HttpContext context, string userName, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = ClientAddress.KeyOf(context);
        var key = userName.Length <= Data.DataLimits.MaxUserName ? userName : userName[..Data.DataLimits.MaxUserName];
        using (var lease = _perUserName.AttemptAcquire(key.ToLowerInvariant()))
        {
            if (!lease.IsAcquired)
            {
                _counters.Add(PortalCounters.SignInRefusedPerUserName);
                LogRefused(_logger, "per-name rate limit", key, address);
                return new AdminSignInResult(null, lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _options.UserNameWindow);
            }
        }

        await using var db = await _factory.CreateDbContextAsync(cancellationToken);
        var admin = userName.Length <= Data.DataLimits.MaxUserName
            ? await db.PortalAdmins.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken)
            : null;
        if (admin is null)
        {
            // Same work for unknown names, so timing does not tell which names exist.
            Verify(new PortalAdmin { UserName = key, PasswordHash = "" }, DummyHash, password);
            return AdminSignInResult.Wrong;
        }

        var now = _time.GetUtcNow();
        var failure = await db.AdminSignInFailures.SingleOrDefaultAsync(f => f.UserName == admin.UserName && f.Address == address, cancellationToken);
        if (failure?.LockedUntil is { } until && until > now)
        {
            _counters.Add(PortalCounters.SignInRefusedLockedOut);
            LogRefused(_logger, "lockout", admin.UserName, address);
            return new AdminSignInResult(null, until - now);
        }

        var result = Verify(admin, admin.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            await RecordFailureAsync(db, failure, admin.UserName, address, now, cancellationToken);
            return AdminSignInResult.Wrong;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            admin.PasswordHash = Hash(admin, password);
        }

        if (failure is not null)
        {
            db.AdminSignInFailures.Remove(failure);
        }

        if (admin.SecurityStamp.Length == 0)
        {
            admin.SecurityStamp = NewStamp();
        }

        await db.SaveChangesAsync(cancellationToken);
        await IssueCookieAsync(context, admin);
        return new AdminSignInResult(admin, null);
    }

    /// <summary>One more failure in a row (an atomic increment: attempts run in parallel); from
    /// <see cref="AdminSignInOptions.LockoutThreshold"/> on, a lockout that doubles with each further failure. Old rows of
    /// every admin are pruned on the way.</summary>
    private async Task RecordFailureAsync(GitTorrentDbContext db, AdminSignInFailure? failure, string userName, string address,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = db.AdminSignInFailures.Where(f => f.UserName == userName && f.Address == address);
        if (failure is null)
        {
            db.AdminSignInFailures.Add(new AdminSignInFailure { UserName = userName, Address = address, Failures = 1, LastFailure = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another attempt inserted the row first: count this one on it.
                db.ChangeTracker.Clear();
                await rows.ExecuteUpdateAsync(u => u.SetProperty(f => f.Failures, f => f.Failures + 1).SetProperty(f => f.LastFailure, now), cancellationToken);
            }
        }
        else
        {
            await rows.ExecuteUpdateAsync(u => u.SetProperty(f => f.Failures, f => f.Failures + 1).SetProperty(f => f.LastFailure, now), cancellationToken);
        }

        var failures = await rows.Select(f => f.Failures).FirstOrDefaultAsync(cancellationToken);
        var over = failures - _options.LockoutThreshold;
        if (over >= 0)
        {
            var lockout = _options.Lockout * Math.Pow(2, Math.Min(over, 30));
            DateTimeOffset? until = now + (lockout < _options.MaxLockout ? lockout : _options.MaxLockout);
            await rows.ExecuteUpdateAsync(u => u.SetProperty(f => f.LockedUntil, until), cancellationToken);
        }

        var forgotten = now - FailureMemory;
        await db.AdminSignInFailures.Where(f => f.LastFailure < forgotten).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Sets a new password (clearing the one-time flag), renews the security stamp (every other session of
    /// this admin is signed out at its next request) and re-issues this session's cookie with full rights.</summary>
    public async Task<string?> ChangePasswordAsync(HttpContext context, string userName, string current, string next, CancellationToken cancellationToken)
    {
        if (next.Length < MinPasswordLength)
        {
            return $"The new password needs at least {MinPasswordLength} characters.";
        }

        await using var db = await _factory.CreateDbContextAsync(cancellationToken);
        var admin = await db.PortalAdmins.SingleOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (admin is null || Verify(admin, admin.PasswordHash, current) == PasswordVerificationResult.Failed)
        {
            return "The current password is wrong.";
        }

        if (next == current)
        {
            return "The new password must differ from the current one.";
        }

        admin.PasswordHash = Hash(admin, next);
        admin.MustChangePassword = false;
        admin.SecurityStamp = NewStamp();
        await db.SaveChangesAsync(cancellationToken);
        _lastStamps[admin.UserName] = admin.SecurityStamp;
        await IssueCookieAsync(context, admin);
        return null;
    }

    /// <summary>
    /// The cookie handler's check on every request: the session's stamp must still be its admin's. While the database
    /// does not answer, the stamp last read is used (a password change needs the database too).
    /// </summary>
    public async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        string? current;
        try
        {
            await using var db = await _factory.CreateDbContextAsync(context.HttpContext.RequestAborted);
            current = name is null ? null : await db.PortalAdmins.AsNoTracking().Where(a => a.UserName == name)
                .Select(a => a.SecurityStamp).SingleOrDefaultAsync(context.HttpContext.RequestAborted);
            if (name is not null && current is not null)
            {
                _lastStamps[name] = current;
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            current = name is null ? null : _lastStamps.GetValueOrDefault(name);
        }

        if (current is null || stamp is null || !CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(current), System.Text.Encoding.UTF8.GetBytes(stamp)))
        {
            _counters.Add(PortalCounters.SessionsRevoked);
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <summary>A new security stamp (also for <c>admin create-user</c>).</summary>
    public static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private PasswordVerificationResult Verify(PortalAdmin admin, string hash, string password)
    {
        _counters.Add(PortalCounters.PasswordHashes);
        return Hasher.VerifyHashedPassword(admin, hash, password);
    }

    private string Hash(PortalAdmin admin, string password)
    {
        _counters.Add(PortalCounters.PasswordHashes);
        return Hasher.HashPassword(admin, password);
    }

    private async Task IssueCookieAsync(HttpContext context, PortalAdmin admin)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, admin.UserName),
                new Claim(ClaimTypes.Role, admin.MustChangePassword ? ChangePasswordRole : AdminRole),
                new Claim(StampClaim, admin.SecurityStamp),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, IssuedUtc = _time.GetUtcNow() });
    }

    public void Dispose() => _perUserName.Dispose();

    private static readonly string DummyHash = Hasher.HashPassword(new PortalAdmin { UserName = "-", PasswordHash = "" }, "not a password");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin sign-in of {UserName} from {Address} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason, string userName, string address);
}
