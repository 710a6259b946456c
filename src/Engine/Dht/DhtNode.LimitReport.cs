using System.Text;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Says in the log when the node's bounds drop or refuse something (rate limit, receive queue, BEP 42, peer and item
/// store shares, address votes, source table, amplification bound, malformed datagrams): one line listing what grew,
/// at most once per <see cref="LimitReportIntervalMs"/>, so a flood cannot flood the log. The counts themselves are in
/// <see cref="Statistics"/> (and on the portal's /metrics).
/// </summary>
public sealed partial class DhtNode
{
    /// <summary>Shortest time between two log lines about bounds that bit.</summary>
    internal const long LimitReportIntervalMs = 10_000;

    private long _lastLimitReport;
    private DhtStatistics _reportedStatistics = new();

    /// <summary>Called from the node loop after the statistics are published.</summary>
    private void ReportLimits(long now)
    {
        if (now - _lastLimitReport < LimitReportIntervalMs)
        {
            return;
        }
        var current = _statistics;
        var before = _reportedStatistics;
        var line = new StringBuilder();
        Add(line, "rate limited", current.RateLimited - before.RateLimited);
        Add(line, "receive queue full", current.QueueOverflows - before.QueueOverflows);
        Add(line, "malformed", current.MalformedDropped - before.MalformedDropped);
        Add(line, "node ids rejected (BEP 42)", current.NodeIdsRejected - before.NodeIdsRejected);
        Add(line, "verification pings skipped", current.VerificationPingsSkipped - before.VerificationPingsSkipped);
        Add(line, "announces refused per address", current.AnnouncesRefusedPerAddress - before.AnnouncesRefusedPerAddress);
        Add(line, "announces refused, store full", current.AnnouncesRefusedFull - before.AnnouncesRefusedFull);
        Add(line, "puts refused per address", current.PutsRefusedPerAddress - before.PutsRefusedPerAddress);
        Add(line, "address votes ignored", current.AddressVotesIgnored - before.AddressVotesIgnored);
        Add(line, "sources evicted", current.SourcesEvicted - before.SourcesEvicted);
        Add(line, "responses trimmed", current.ResponsesTrimmed - before.ResponsesTrimmed);
        _lastLimitReport = now;
        _reportedStatistics = current;
        if (line.Length > 0)
        {
            DhtLog.LimitsBit(_logger, line.ToString(), LimitReportIntervalMs / 1000);
        }
    }

    private static void Add(StringBuilder line, string what, long count)
    {
        if (count > 0)
        {
            line.Append(line.Length > 0 ? ", " : "").Append(what).Append(' ').Append(count);
        }
    }
}
