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

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>When the profile crawler should get this user's profile again (null = as soon as possible).</summary>
    public DateTimeOffset? NextCrawl { get; set; }

    /// <summary>Consecutive failed crawls; drives the crawler's exponential backoff.</summary>
    public int CrawlFailures { get; set; }

    public List<Repository> Repositories { get; set; } = [];
}
