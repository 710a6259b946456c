using GitTorrent.Engine;
using GitTorrent.Indexer.Discovery;

namespace GitTorrent.Web.Discovery;

/// <summary>
/// <c>POST /api/users</c> and the search page's form: a 40-hex user id or a key-form <c>gittorrent://&lt;id&gt;/...</c>
/// URL, queued for a DHT lookup (<see cref="DiscoveryQueue"/>; rate-limited there, and per client address before it).
/// </summary>
public sealed class UserLookupRequests(DiscoveryQueue queue, DiscoveryStatistics statistics)
{
    /// <summary>The longest input read (a URL with a long repository name is still far below this).</summary>
    public const int MaxInputLength = 1024;

    /// <summary>The user id in <paramref name="input"/>, or null with a message saying what is wrong.</summary>
    public static Hash20? Parse(string? input, out string? error)
    {
        var text = input?.Trim() ?? "";
        error = null;
        if (text.Length == 0)
        {
            error = "give a 40-hex user id or a gittorrent://<user id>/<repository> URL";
        }
        else if (text.Length > MaxInputLength)
        {
            error = $"the input is longer than {MaxInputLength} characters";
        }
        else if (text.Length == 40 && Hash20.IsLowerHex40(text.ToLowerInvariant()))
        {
            return Hash20.Parse(text.ToLowerInvariant());
        }
        else if (!text.StartsWith(GitTorrentUrl.Scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            error = "not a user id: expected 40 hex characters or a gittorrent://<user id>/<repository> URL";
        }
        else if (!GitTorrentUrl.TryParse(text, out var url, out var urlError))
        {
            error = urlError;
        }
        else if (url.Kind != GitTorrentUrlKind.Key)
        {
            error = url.Kind == GitTorrentUrlKind.Name
                ? "a registered name is looked up through the name index (search for it); give the user id form gittorrent://<user id>/..."
                : "a host-form URL names no user: give the user id form gittorrent://<user id>/...";
        }
        else
        {
            return url.UserId;
        }
        return null;
    }

    /// <summary>Queues a lookup of <paramref name="id"/>; false when the queue is full (the id is dropped and counted).</summary>
    public bool Submit(Hash20 id)
    {
        statistics.Add(DiscoverySource.Request, DiscoveryOutcome.Seen);
        return queue.TryAdd(id, DiscoverySource.Request);
    }
}
