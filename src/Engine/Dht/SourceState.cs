namespace GitTorrent.Engine.Dht;

/// <summary>What a node remembers about one source (<see cref="SourceKey"/>); owned by <see cref="SourceTable"/>.</summary>
internal sealed class SourceState(SourceKey key, double tokens, double credit, long now)
{
    public SourceKey Key { get; } = key;

    /// <summary>Rate-limit tokens left (one per datagram).</summary>
    public double Tokens { get; set; } = tokens;

    public long TokensUpdated { get; set; } = now;

    /// <summary>Bytes we may still send to this source while it is unverified (anti-amplification).</summary>
    public double Credit { get; set; } = credit;

    public long CreditUpdated { get; set; } = now;

    /// <summary>The source answered one of our queries: it receives what is sent to its address.</summary>
    public bool Verified { get; set; }

    /// <summary>When we last pinged it to verify its address; null = never.</summary>
    public long? VerificationPingedAt { get; set; }
}
