using System.Globalization;
using System.Text;
using GitTorrent.Engine;

namespace GitTorrent.Web.Issues;

/// <summary>
/// A small picture derived from a user id (5x5, mirrored, one colour), so the same author is recognisable at a glance.
/// SVG with presentation attributes only: no script, no inline style, safe under a strict CSP.
/// </summary>
public static class Identicon
{
    public static string Svg(Hash20 userId, int size)
    {
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        userId.CopyTo(bytes);
        var hue = ((bytes[0] << 8) | bytes[1]) % 360;
        var colour = string.Create(CultureInfo.InvariantCulture, $"hsl({hue},55%,{45 + (bytes[2] % 15)}%)");
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"identicon\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 5 5\" width=\"{size}\" height=\"{size}\" aria-hidden=\"true\">");
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
        return svg.Append("</svg>").ToString();
    }

    private static void Cell(StringBuilder svg, int x, int y, string colour) =>
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\" fill=\"{colour}\"/>");
}
