namespace GitTorrent.Engine.Fetch;

/// <summary>Request <paramref name="Request"/> has reached a peer (connected, speaking the protocol).</summary>
public sealed record PeerReached(int Request) : FetchEvent;
