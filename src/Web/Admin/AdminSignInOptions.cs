using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Web.Admin;

/// <summary>
/// Bounds of admin sign-in (section <c>GitTorrent:Admin</c>, env <c>GitTorrent__Admin__...</c>). Each checked password
/// costs about 0.1 s of CPU (PBKDF2), so what a stranger may try is limited before any hash is computed.
/// </summary>
public sealed class AdminSignInOptions
{
    public const string SectionName = "GitTorrent:Admin";

    /// <summary>Sign-in and password-change posts one client address (an IPv6 /64) may make per
    /// <see cref="AddressWindow"/>; more get 429 before any work. Default 10.</summary>
    [Range(1, 100000)]
    public int AttemptsPerAddress { get; set; } = 10;

    /// <summary>The window of <see cref="AttemptsPerAddress"/> (a token bucket refilled evenly over it). Default 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sign-ins of one user name, from all addresses together, per <see cref="UserNameWindow"/>: stops
    /// guessing spread over many addresses. Default 30.</summary>
    [Range(1, 100000)]
    public int AttemptsPerUserName { get; set; } = 30;

    /// <summary>The window of <see cref="AttemptsPerUserName"/>. Default 15 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UserNameWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Wrong passwords in a row for one admin from one address before it is locked out. Default 5.</summary>
    [Range(1, 1000)]
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The first lockout; each further failure doubles it, up to <see cref="MaxLockout"/>. Default 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest lockout. Default 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxLockout { get; set; } = TimeSpan.FromHours(1);
}
