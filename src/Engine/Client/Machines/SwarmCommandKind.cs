namespace GitTorrent.Engine.Client.Machines;

/// <summary>What a swarm machine asks its driver to do to one peer (BEP 3 messages, or closing the connection).</summary>
public enum SwarmCommandKind
{
    /// <summary>Send choke: we stop serving the peer's requests.</summary>
    Choke,

    /// <summary>Send unchoke: the peer may request blocks from us.</summary>
    Unchoke,

    /// <summary>Send interested: the peer has pieces we lack.</summary>
    Interested,

    /// <summary>Send not interested.</summary>
    NotInterested,

    /// <summary>Send a request for <see cref="SwarmCommand{TPeer}.Block"/>.</summary>
    Request,

    /// <summary>Send a cancel for <see cref="SwarmCommand{TPeer}.Block"/> (its data may still arrive).</summary>
    Cancel,

    /// <summary>Close the connection (the peer lied, or is banned).</summary>
    Close,

    /// <summary>Send have for piece <see cref="SwarmCommand{TPeer}.Index"/> (super-seeding shows pieces this way, BEP 16).</summary>
    Have,

    /// <summary>Ask for metadata piece <see cref="SwarmCommand{TPeer}.Index"/> (ut_metadata, BEP 9).</summary>
    RequestMetadata,

    /// <summary>The peer is banned (misbehaved too often): close it, count and log the ban.</summary>
    Ban,
}
