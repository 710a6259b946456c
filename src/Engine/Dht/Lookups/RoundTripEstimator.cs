namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>
/// The short timeout of a lookup's queries, learned from the answers it gets: RFC 6298 section 2 (TCP's
/// retransmission timer: SRTT + 4 RTTVAR from the first and each later sample), kept between a floor and the
/// configured ceiling (a floor above the ceiling yields to it). Before any answer the ceiling applies. A query
/// outstanding longer than this is set aside (its alpha slot opens for another node; libtorrent's "short timeout")
/// but a late answer still counts, so a threshold that is too short costs one extra query, never a result.
/// </summary>
internal sealed class RoundTripEstimator(long minimumMs, long maximumMs)
{
    private double _smoothed;
    private double _variation;
    private bool _sampled;

    /// <summary>Answers measured so far.</summary>
    public int Samples { get; private set; }

    /// <summary>How long a query may stay outstanding before it is set aside, in milliseconds.</summary>
    public long SlowAfterMs => !_sampled
        ? maximumMs
        : Math.Clamp((long)Math.Ceiling(_smoothed + 4 * _variation), Math.Min(minimumMs, maximumMs), maximumMs);

    /// <summary>Adds the round-trip time of one answer (a late answer of a query set aside counts too).</summary>
    public void Add(long roundTripMs)
    {
        var sample = Math.Max(0, roundTripMs);
        if (!_sampled)
        {
            _smoothed = sample;
            _variation = sample / 2.0;
            _sampled = true;
        }
        else
        {
            // RFC 6298 2.3: beta = 1/4, alpha = 1/8.
            _variation = 0.75 * _variation + 0.25 * Math.Abs(_smoothed - sample);
            _smoothed = 0.875 * _smoothed + 0.125 * sample;
        }
        Samples++;
    }
}
