using System.Net;

namespace GitTorrent.Engine.Dht;

/// <summary>A DHT node as other nodes describe it: its 20-byte id and UDP endpoint (BEP 5 "compact node info").</summary>
public readonly record struct DhtContact(Hash20 Id, IPEndPoint EndPoint);
