using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GitTorrent.Web.Rendering;

/// <summary>
/// A 5x5 mirrored identicon (as GitHub's) drawn from a user id: SHA-256 of the id picks the hue and which cells are
/// filled. Output is a self-contained SVG string of rectangles; nothing from the id reaches it except numbers.
/// </summary>
public static class IdenticonGenerator
{
    public static string Svg(string userId, int size)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(userId));
        var hue = (hash[0] | (hash[1] << 8)) % 360;
        var color = string.Create(CultureInfo.InvariantCulture, $"hsl({hue} 55% 48%)");
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"identicon\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 5 5\" role=\"img\" aria-hidden=\"true\" focusable=\"false\">");
        svg.Append("<rect width=\"5\" height=\"5\" fill=\"#f0f0f0\"/>");
        for (var row = 0; row < 5; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                if ((hash[2 + (row * 3) + column] & 1) == 0)
                {
                    continue;
                }

                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{column}\" y=\"{row}\" width=\"1\" height=\"1\" fill=\"{color}\"/>");
                if (column < 2)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{4 - column}\" y=\"{row}\" width=\"1\" height=\"1\" fill=\"{color}\"/>");
                }
            }
        }

        return svg.Append("</svg>").ToString();
    }
}
