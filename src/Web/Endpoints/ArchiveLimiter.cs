using System.Collections.Concurrent;
using System.Net;
using GitTorrent.Web.Git;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Bounds <c>git archive</c> runs: <see cref="BrowseOptions.MaxArchives"/> at once in total (more get 503) and
/// <see cref="BrowseOptions.MaxArchivesPerClient"/> per client address (more get 429). Refusals are counted and logged
/// in <see cref="BrowseStatistics"/>.
/// </summary>
public sealed class ArchiveLimiter(IOptions<BrowseOptions> options, BrowseStatistics statistics)
{
    private readonly ConcurrentDictionary<IPAddress, int> perClient = new();
    private readonly object gate = new();
    private int running;

    /// <summary>A slot (dispose to release), or the status code to answer with.</summary>
    public (IDisposable? Slot, int Status) TryEnter(IPAddress? client)
    {
        var address = client ?? IPAddress.None;
        lock (gate)
        {
            var mine = perClient.GetValueOrDefault(address);
            var status = mine >= options.Value.MaxArchivesPerClient ? StatusCodes.Status429TooManyRequests
                : running >= options.Value.MaxArchives ? StatusCodes.Status503ServiceUnavailable
                : 0;
            if (status != 0)
            {
                statistics.CountArchiveRefused(perClient: status == StatusCodes.Status429TooManyRequests);
                return (null, status);
            }

            running++;
            perClient[address] = mine + 1;
        }

        return (new Slot(this, address), 0);
    }

    /// <summary>Turns <paramref name="response"/> into the refusal for <paramref name="status"/> (429 or 503, with Retry-After, plain text).</summary>
    public static void Refuse(HttpResponse response, int status)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Remove("Content-Disposition");
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.RetryAfter = GitTorrent.Web.Git.BrowseOptions.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Leave(IPAddress address)
    {
        lock (gate)
        {
            running--;
            if (perClient.GetValueOrDefault(address) <= 1)
            {
                perClient.TryRemove(address, out _);
            }
            else
            {
                perClient[address]--;
            }
        }
    }

    private sealed class Slot(ArchiveLimiter limiter, IPAddress address) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                limiter.Leave(address);
            }
        }
    }
}
