namespace GitTorrent.Engine.Client.Machines;

/// <summary>What the <see cref="PeerExchangeMachine{TPeer}"/> asks its driver to do.</summary>
public enum PexCommandKind
{
    /// <summary>Send <see cref="PexCommand{TPeer}.Message"/> to <see cref="PexCommand{TPeer}.Peer"/> (ut_pex, BEP 11).</summary>
    Send,

    /// <summary>Dial <see cref="PexCommand{TPeer}.EndPoint"/>, heard from <see cref="PexCommand{TPeer}.Source"/>; report the end with <see cref="PeerExchangeMachine{TPeer}.DialEnded"/>.</summary>
    Dial,
}
