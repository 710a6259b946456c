namespace GitTorrent.Engine.Dht.Items;

/// <summary>
/// A verified BEP 44 mutable item. <see cref="Value"/> is the raw bencoded "v" exactly as signed.
/// </summary>
public sealed record MutableItem(byte[] Value, long Sequence, byte[] PublicKey, byte[] Signature, byte[] Salt)
{
    public Hash20 Target => Bep44.MutableTarget(PublicKey, Salt);
}
