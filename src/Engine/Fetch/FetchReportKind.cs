namespace GitTorrent.Engine.Fetch;

/// <summary>How a <see cref="FetchReport"/> is meant to be shown.</summary>
public enum FetchReportKind
{
    /// <summary>A line shown normally.</summary>
    Info,

    /// <summary>Detail shown when asked to be verbose.</summary>
    Verbose,

    /// <summary>A counter rewritten in place ("Fetching tips: 40% (4/10)").</summary>
    Counter,

    /// <summary>Pack download progress: bytes verified of the total, before the total is known 0.</summary>
    Download,
}
