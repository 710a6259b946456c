using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Indexer.Node;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Traffic;

/// <summary>
/// Every <see cref="PortalOptions.TrafficSampleInterval"/>: attributes the piece payload the node uploaded since the
/// last round to the repository each pack was made from, then writes what <see cref="TrafficMeter"/> holds as one
/// sample row per repository and adds it to the repository's totals (replicas add to the same rows), and keeps the
/// samples within <see cref="PortalOptions.TrafficRetention"/> and <see cref="PortalOptions.TrafficMaxSamples"/>.
/// Stopping writes a last sample, so a restart loses nothing that was counted.
/// </summary>
public sealed partial class TrafficRecorder(
    TrafficMeter meter,
    NodeHost host,
    IDbContextFactory<GitTorrentDbContext> factory,
    IOptions<PortalOptions> options,
    TimeProvider time,
    ILogger<TrafficRecorder> logger) : BackgroundService
{
    private readonly Dictionary<string, long> _packUploaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _packRepository = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TrafficSampleInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RecordAsync(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await RecordAsync(cancellationToken);
    }

    /// <summary>One round: swarm uploads into the meter, the meter into the database.</summary>
    public async Task RecordAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await CountSwarmAsync(cancellationToken);
            await WriteAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or TimeoutException or System.Data.Common.DbException)
        {
            LogWriteFailed(e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CountSwarmAsync(CancellationToken cancellationToken)
    {
        if (host.Current is not { } node)
        {
            return;
        }
        foreach (var pack in node.GetStatistics().Packs)
        {
            var last = _packUploaded.GetValueOrDefault(pack.InfoHash);
            // A pack dropped and made again starts from zero.
            var delta = pack.Uploaded >= last ? pack.Uploaded - last : pack.Uploaded;
            _packUploaded[pack.InfoHash] = pack.Uploaded;
            if (delta == 0)
            {
                continue;
            }
            if (!_packRepository.TryGetValue(pack.InfoHash, out var repository))
            {
                repository = Hash20.TryParse(pack.Commit, out var commit)
                    ? (await node.FindRepositoryAsync(commit, cancellationToken))?.Name
                    : null;
                _packRepository[pack.InfoHash] = repository;
            }
            // Served repositories are named "<userId>/<name>" (SwarmSeeder).
            if (repository?.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash)
            {
                meter.Add(repository[..slash], repository[(slash + 1)..], TrafficKind.Swarm, delta);
            }
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var drained = meter.Drain();
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (drained.Count > 0)
        {
            try
            {
                // One transaction: the totals and the samples move together or not at all.
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // Raw SQL bypasses the SQLite context's DateTimeOffset-as-ticks conversion: apply it here.
                object stamp = db.Provider == DatabaseProvider.Sqlite ? now.UtcTicks : now;
                foreach (var (userId, repository, counts) in drained)
                {
                    db.TrafficSamples.Add(new TrafficSample
                    {
                        At = now, UserId = userId, Repository = repository, SwarmBytes = counts.Swarm, HttpBytes = counts.Http, OriginBytes = counts.Origin,
                    });
                    // Replicas add to the same row: an upsert (the same statement on PostgreSQL and SQLite).
                    await db.Database.ExecuteSqlInterpolatedAsync($"""
                        INSERT INTO repository_traffic ("UserId", "Repository", "SwarmBytes", "HttpBytes", "OriginBytes", "UpdatedAt")
                        VALUES ({userId}, {repository}, {counts.Swarm}, {counts.Http}, {counts.Origin}, {stamp})
                        ON CONFLICT ("UserId", "Repository") DO UPDATE SET
                          "SwarmBytes" = repository_traffic."SwarmBytes" + excluded."SwarmBytes",
                          "HttpBytes" = repository_traffic."HttpBytes" + excluded."HttpBytes",
                          "OriginBytes" = repository_traffic."OriginBytes" + excluded."OriginBytes",
                          "UpdatedAt" = excluded."UpdatedAt"
                        """, cancellationToken);
                }
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                // Nothing counted is lost: it goes into the next sample.
                foreach (var (userId, repository, counts) in drained)
                {
                    meter.Return(userId, repository, counts);
                }
                throw;
            }
        }

        var settings = options.Value;
        var oldest = now - settings.TrafficRetention;
        await db.TrafficSamples.Where(s => s.At < oldest).ExecuteDeleteAsync(cancellationToken);
        var cut = await db.TrafficSamples.OrderByDescending(s => s.Id).Skip(settings.TrafficMaxSamples).Select(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        if (cut > 0)
        {
            await db.TrafficSamples.Where(s => s.Id <= cut).ExecuteDeleteAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Traffic sample not written (kept for the next one): {Reason}")]
    private partial void LogWriteFailed(string reason);
}
