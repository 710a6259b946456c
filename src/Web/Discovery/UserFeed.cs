using System.Globalization;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Indexer.Discovery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Discovery;

/// <summary>
/// <c>/api/users?after=&amp;limit=</c>: the users this portal knows, oldest change first (by <c>UpdatedAt</c>, then id).
/// The cursor is the last row's (UpdatedAt ticks, id), so a page never repeats or skips a row that did not change; a
/// user that changes again moves to the end and is listed again there. Changes younger than
/// <see cref="DiscoveryOptions.UsersFeedSettle"/> are held back, so a write committing late is not passed over.
/// </summary>
public sealed class UserFeed(IDbContextFactory<GitTorrentDbContext> factory, IOptions<DiscoveryOptions> options, TimeProvider time)
{
    public sealed record Entry(string Id, long Seq, DateTimeOffset UpdatedAt);

    /// <summary>One page; <c>Next</c> is null at the end.</summary>
    public sealed record Page(IReadOnlyList<Entry> Users, string? Next);

    /// <summary>The page after <paramref name="after"/> (null = from the start); null when the cursor is malformed.</summary>
    public async Task<Page?> PageAsync(string? after, int? limit, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var take = Math.Clamp(limit ?? settings.UsersFeedDefaultLimit, 1, settings.UsersFeedMaxLimit);
        (long Ticks, string Id)? cursor = null;
        if (after is not null)
        {
            if (TryParseCursor(after) is not { } parsed)
            {
                return null;
            }
            cursor = parsed;
        }
        var until = time.GetUtcNow() - settings.UsersFeedSettle;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var query = db.Users.AsNoTracking().Where(u => u.UpdatedAt <= until);
        if (cursor is { } c)
        {
            var at = new DateTimeOffset(c.Ticks, TimeSpan.Zero);
            query = query.Where(u => u.UpdatedAt > at || (u.UpdatedAt == at && string.Compare(u.UserId, c.Id) > 0));
        }
        var rows = await query.OrderBy(u => u.UpdatedAt).ThenBy(u => u.UserId).Take(take + 1)
            .Select(u => new Entry(u.UserId, u.Seq, u.UpdatedAt)).ToListAsync(cancellationToken);
        var more = rows.Count > take;
        var page = more ? rows.Take(take).ToList() : rows;
        return new Page(page, more ? Cursor(page[^1]) : null);
    }

    /// <summary>The opaque cursor after <paramref name="entry"/>: <c>&lt;UTC ticks&gt;.&lt;id&gt;</c>.</summary>
    public static string Cursor(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.UpdatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + entry.Id;
    }

    public static (long Ticks, string Id)? TryParseCursor(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot is < 1 or > 19
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Hash20.IsLowerHex40(text.AsSpan(dot + 1)))
        {
            return null;
        }
        return (ticks, text[(dot + 1)..]);
    }
}
