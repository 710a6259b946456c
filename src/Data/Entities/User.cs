namespace GitTorrent.Data.Entities;

/// <summary>A GitTorrent user: an ed25519 key whose signed BEP 44 profile we have seen.</summary>
public sealed class User
{
    /// <summary>40 lowercase hex chars: SHA-1 of the ed25519 public key (the BEP 44 target without salt).</summary>
    public required string UserId { get; set; }

    /// <summary>The 32-byte ed25519 public key.</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>BEP 44 sequence number of <see cref="RawProfile"/>.</summary>
    public long Seq { get; set; }

    /// <summary>The signed value exactly as published (bencoded), so it can be re-verified or re-served.</summary>
    public required byte[] RawProfile { get; set; }

    /// <summary>The 64-byte ed25519 signature over <see cref="Seq"/> and <see cref="RawProfile"/>.</summary>
    public required byte[] Signature { get; set; }

    public string? DisplayName { get; set; }

    public string? Email { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    /// <summary>When a DHT get last found this user's profile (kept when the profile disappears from the DHT).</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>
    /// When a profile with a higher seq was last stored (first seen included): the order of the <c>/api/users</c> feed,
    /// and how recently active the user is (the crawler re-fetches recently changed profiles sooner).
    /// </summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the profile crawler should get this user's profile again (null = as soon as possible).</summary>
    public DateTimeOffset? NextCrawl { get; set; }

    /// <summary>Consecutive failed crawls; drives the crawler's exponential backoff.</summary>
    public int CrawlFailures { get; set; }

    public List<Repository> Repositories { get; set; } = [];
}
