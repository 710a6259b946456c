using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using GitTorrent.Engine;

namespace GitTorrent.Web.Issues;

/// <summary>
/// A small picture derived from a user id (5x5, mirrored, one colour), so the same author is recognisable at a glance.
/// A page defines each author's picture once as an SVG <c>symbol</c> and draws it with <c>use</c> wherever the author
/// appears. SVG with presentation attributes only: no script, no inline style, safe under a strict CSP.
/// </summary>
public static class Identicon
{
    private const int MaxCached = 10_000;
    private static readonly ConcurrentDictionary<Hash20, string> Symbols = new();

    /// <summary>The <c>symbol</c> element of one user's picture (cached).</summary>
    public static string Symbol(Hash20 userId)
    {
        if (Symbols.TryGetValue(userId, out var cached))
        {
            return cached;
        }
        if (Symbols.Count >= MaxCached)
        {
            Symbols.Clear();
        }
        return Symbols[userId] = Draw(userId);
    }

    /// <summary>Draws the picture defined by <see cref="Symbol"/> at <paramref name="size"/> pixels.</summary>
    public static string Use(Hash20 userId, int size) => string.Create(CultureInfo.InvariantCulture,
        $"<svg class=\"identicon\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 5 5\" aria-hidden=\"true\"><use href=\"#identicon-{userId}\"/></svg>");

    private static string Draw(Hash20 userId)
    {
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        userId.CopyTo(bytes);
        var hue = ((bytes[0] << 8) | bytes[1]) % 360;
        var colour = string.Create(CultureInfo.InvariantCulture, $"hsl({hue},55%,{45 + (bytes[2] % 15)}%)");
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<symbol id=\"identicon-{userId}\" viewBox=\"0 0 5 5\">");
        svg.Append("<rect width=\"5\" height=\"5\" fill=\"#f0f0f0\"/>");
        for (var row = 0; row < 5; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                var bit = (row * 3) + column;
                if ((bytes[3 + (bit / 8)] >> (bit % 8) & 1) == 0)
                {
                    continue;
                }
                Cell(svg, column, row, colour);
                if (column < 2)
                {
                    Cell(svg, 4 - column, row, colour);
                }
            }
        }
        return svg.Append("</symbol>").ToString();
    }

    private static void Cell(StringBuilder svg, int x, int y, string colour) =>
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\" fill=\"{colour}\"/>");
}
