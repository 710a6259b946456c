using GitTorrent.Engine.Profiles;

namespace GitTorrent.Engine.Node;

/// <summary>A verified profile from the DHT: the document (manifest expanded), its seq and the signed bytes.</summary>
public sealed record SignedProfile(Hash20 UserId, UserProfile Profile, long Seq, byte[] PublicKey, byte[] Signature, byte[] RawValue);
