namespace GitTorrent.Engine.Client.Machines;

/// <summary>What the <see cref="ChokingMachine{TPeer}"/> knows of one peer.</summary>
internal sealed class ChokingPeer
{
    public bool AmChoking { get; set; } = true;

    public bool Interested { get; set; }

    public bool IsSeed { get; set; }

    /// <summary>Payload bytes received from the peer in all, as last reported.</summary>
    public long Downloaded { get; set; }

    /// <summary>Payload bytes sent to the peer in all, as last reported.</summary>
    public long Uploaded { get; set; }

    public long DownloadedAtLastRound { get; set; }

    public long UploadedAtLastRound { get; set; }
}
