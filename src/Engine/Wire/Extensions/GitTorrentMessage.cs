using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// A <c>ut_gittorrent</c> extension message (docs/PROTOCOL.md section 4), the payload of a BEP 10
/// extended message. Three shapes share the outer <c>{"gittorrent": {...}}</c> dictionary:
/// a request <c>{sha, have?, want?}</c>, a reply <c>{infoHash}</c> and an error <c>{sha, error}</c>.
/// All ids travel as 40 lowercase hex characters (text, as the original Node.js client expects).
/// </summary>
public sealed record GitTorrentMessage
{
    /// <summary>Name in the BEP 10 handshake's <c>m</c> dictionary (orig).</summary>
    public const string ExtensionName = "ut_gittorrent";

    /// <summary>
    /// At most this many haves in one request (docs/PROTOCOL.md section 4): a longer list is cut here when decoding, and a
    /// seeder resolving a request (<c>PackBuilder.ResolveAsync</c>) uses no more. The one limit for every side.
    /// </summary>
    public const int MaxHaves = 256;

    /// <summary>At most this many more wants in one request.</summary>
    public const int MaxWants = 1024;

    /// <summary>Error texts longer than this are cut.</summary>
    public const int MaxErrorLength = 500;

    public GitTorrentMessageKind Kind { get; private init; }

    /// <summary>The wanted commit (request and error).</summary>
    public Hash20 Sha { get; private init; }

    /// <summary>The pack torrent's infohash (reply).</summary>
    public Hash20 InfoHash { get; private init; }

    /// <summary>Commits the requester already has (request; ours, optional).</summary>
    public IReadOnlyList<Hash20> Haves { get; private init; } = [];

    /// <summary>
    /// More commits wanted in the same pack as <see cref="Sha"/> (request; ours, optional): a clone of many branches
    /// asks for all its tips at once and gets one pack. A seeder that ignores them (the original) packs <see cref="Sha"/>
    /// only, and the client asks for what is still missing.
    /// </summary>
    public IReadOnlyList<Hash20> Wants { get; private init; } = [];

    /// <summary>Why the seeder cannot serve (error; ours).</summary>
    public string? Error { get; private init; }

    public static GitTorrentMessage Request(Hash20 sha, IReadOnlyList<Hash20>? haves = null, IReadOnlyList<Hash20>? wants = null)
    {
        if (haves is { Count: > MaxHaves })
        {
            throw new ArgumentException($"At most {MaxHaves} haves fit in one request.", nameof(haves));
        }
        if (wants is { Count: > MaxWants })
        {
            throw new ArgumentException($"At most {MaxWants} more wants fit in one request.", nameof(wants));
        }
        return new() { Kind = GitTorrentMessageKind.Request, Sha = sha, Haves = haves ?? [], Wants = wants ?? [] };
    }

    public static GitTorrentMessage Reply(Hash20 infoHash) => new() { Kind = GitTorrentMessageKind.Reply, InfoHash = infoHash };

    public static GitTorrentMessage Failure(Hash20 sha, string error) => new()
    {
        Kind = GitTorrentMessageKind.Error,
        Sha = sha,
        Error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error,
    };

    public byte[] Encode()
    {
        var inner = new BDictionary();
        switch (Kind)
        {
            case GitTorrentMessageKind.Request:
                inner.Add("sha", Sha.ToString());
                if (Haves.Count > 0)
                {
                    inner.Add("have", new BList(Haves.Select(h => (BValue)h.ToString())));
                }
                if (Wants.Count > 0)
                {
                    inner.Add("want", new BList(Wants.Select(w => (BValue)w.ToString())));
                }
                break;
            case GitTorrentMessageKind.Reply:
                inner.Add("infoHash", InfoHash.ToString());
                break;
            case GitTorrentMessageKind.Error:
                inner.Add("sha", Sha.ToString());
                inner.Add("error", Error ?? "unknown error");
                break;
        }
        return new BDictionary { { "gittorrent", inner } }.Encode();
    }

    /// <summary>
    /// Decodes a payload. A message is rejected (false, with a reason) when it is not bencode, lacks
    /// the <c>gittorrent</c> dictionary, or carries ids that are not 40 hex characters.
    /// Haves beyond <see cref="MaxHaves"/> and wants beyond <see cref="MaxWants"/> are ignored, as are list items that
    /// are not 40 hex characters.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out GitTorrentMessage message, out string? reason)
    {
        message = null!;
        if (!BencodeReader.TryDecode(payload, out var value, out var error, BencodeReadOptions.Lenient))
        {
            reason = $"not bencode ({error})";
            return false;
        }
        if (value is not BDictionary outer || outer.GetDictionary("gittorrent") is not { } inner)
        {
            reason = "no 'gittorrent' dictionary";
            return false;
        }
        if (inner.GetText("infoHash") is { } infoHashText)
        {
            if (!Hash20.TryParse(infoHashText, out var infoHash))
            {
                reason = "'infoHash' is not 40 hex characters";
                return false;
            }
            message = Reply(infoHash);
            reason = null;
            return true;
        }
        if (inner.GetText("sha") is not { } shaText || !Hash20.TryParse(shaText, out var sha))
        {
            reason = "'sha' is missing or not 40 hex characters";
            return false;
        }
        if (inner.GetString("error") is { } errorText)
        {
            message = Failure(sha, errorText.Text);
            reason = null;
            return true;
        }
        message = Request(sha, ReadIds(inner.GetList("have"), MaxHaves), ReadIds(inner.GetList("want"), MaxWants));
        reason = null;
        return true;
    }

    private static List<Hash20> ReadIds(BList? list, int max)
    {
        var ids = new List<Hash20>();
        foreach (var item in (IEnumerable<BValue>?)list ?? [])
        {
            if (ids.Count == max)
            {
                break;
            }
            if (item is BString s && Hash20.TryParse(s.Text, out var id))
            {
                ids.Add(id);
            }
        }
        return ids;
    }
}
