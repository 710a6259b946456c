namespace GitTorrent.Engine.Fetch;

/// <summary>A progress event of a fetch, for the user.</summary>
/// <param name="Kind">How to show it.</param>
/// <param name="Message">The text (a counter's title for <see cref="FetchReportKind.Counter"/>).</param>
/// <param name="Done">Counter or download: done so far.</param>
/// <param name="Total">Counter or download: the total (0 = unknown).</param>
public sealed record FetchReport(FetchReportKind Kind, string Message, long Done = 0, long Total = 0)
{
    /// <summary>Peers a download is connected to (<see cref="FetchReportKind.Download"/>).</summary>
    public int Peers { get; init; }
}
