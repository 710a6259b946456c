namespace GitTorrent.Web.Services;

/// <summary>A resolved owner: user id, display name and the registered name that owns it, if any.</summary>
public sealed record OwnerInfo(string UserId, string? DisplayName, string? RegisteredName, byte[] PublicKey, long Seq, DateTimeOffset LastSeen);
