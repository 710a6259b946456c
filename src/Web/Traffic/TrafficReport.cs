using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Traffic;

/// <summary>Reads the persisted traffic for the swarm page: per-repository totals and the last 24 hours by hour.</summary>
public sealed class TrafficReport(IDbContextFactory<GitTorrentDbContext> factory, TimeProvider time)
{
    /// <summary>Rows shown on the swarm page (the busiest first).</summary>
    public const int MaxRows = 100;

    public const int Hours = 24;

    public async Task<IReadOnlyList<RepositoryTrafficRow>> BusiestAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.RepositoryTraffic.AsNoTracking()
            .OrderByDescending(t => t.SwarmBytes + t.HttpBytes).ThenByDescending(t => t.OriginBytes).ThenBy(t => t.UserId).ThenBy(t => t.Repository)
            .Take(MaxRows)
            .Select(t => new RepositoryTrafficRow(t.UserId, t.Repository, new TrafficCounts(t.SwarmBytes, t.HttpBytes, t.OriginBytes)))
            .ToListAsync(cancellationToken);
    }

    /// <summary>All repositories' bytes per hour over the last 24 hours, oldest first (the current hour last).</summary>
    public async Task<IReadOnlyList<(DateTimeOffset Start, TrafficCounts Counts)>> LastDayAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var currentHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var first = currentHour.AddHours(1 - Hours);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var hours = new List<(DateTimeOffset, TrafficCounts)>(Hours);
        for (var start = first; start <= currentHour; start = start.AddHours(1))
        {
            var end = start.AddHours(1);
            var sums = await db.TrafficSamples.AsNoTracking().Where(s => s.At >= start && s.At < end).GroupBy(_ => 1)
                .Select(g => new TrafficCounts(g.Sum(s => s.SwarmBytes), g.Sum(s => s.HttpBytes), g.Sum(s => s.OriginBytes)))
                .SingleOrDefaultAsync(cancellationToken);
            hours.Add((start, sums ?? TrafficCounts.Zero));
        }
        return hours;
    }
}
