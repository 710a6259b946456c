using System.Text.Json;
using GitTorrent.Data;
using GitTorrent.Engine;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// One page of another portal's <c>/api/users</c> feed, as far as it could be trusted: <c>{"users": [{"id", "seq",
/// "updatedAt"}], "next": "&lt;cursor or null&gt;"}</c>. Ids that are not 40 lowercase hex are skipped and counted;
/// users beyond the page size asked for are cut off and counted.
/// </summary>
public sealed record PeerFeedPage(IReadOnlyList<(Hash20 Id, long Seq)> Users, string? Next, int Skipped)
{
    /// <summary>Parses <paramref name="json"/>; null with <paramref name="error"/> when it is not a feed page.</summary>
    public static PeerFeedPage? TryParse(ReadOnlySpan<byte> json, int pageSize, out string? error)
    {
        error = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            error = "not JSON: " + e.Message;
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
            {
                error = "no \"users\" array";
                return null;
            }
            string? next = null;
            if (root.TryGetProperty("next", out var nextElement) && nextElement.ValueKind != JsonValueKind.Null)
            {
                if (nextElement.ValueKind != JsonValueKind.String || nextElement.GetString() is not { Length: > 0 and <= DataLimits.MaxFeedCursor } cursor)
                {
                    error = $"\"next\" is not a string of 1 to {DataLimits.MaxFeedCursor} characters";
                    return null;
                }
                next = cursor;
            }
            var list = new List<(Hash20, long)>();
            var skipped = 0;
            foreach (var user in users.EnumerateArray())
            {
                if (list.Count >= pageSize
                    || user.ValueKind != JsonValueKind.Object
                    || !user.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                    || id.GetString() is not { } text || !Hash20.IsLowerHex40(text))
                {
                    skipped++;
                    continue;
                }
                var seq = user.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : 0;
                list.Add((Hash20.Parse(text), seq));
            }
            return new PeerFeedPage(list, next, skipped);
        }
    }
}
