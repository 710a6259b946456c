using System.Text;
using System.Text.RegularExpressions;

namespace GitTorrent.Engine;

/// <summary>
/// Text that came from someone else (a seeder's error, a profile, a resolver, an origin's messages), made safe to show on
/// a terminal: ANSI escape sequences and every other control character are removed (line breaks too, unless asked to
/// keep them), and it is cut to a bounded length. A hostile peer cannot move the cursor, recolour, retitle or clear the
/// user's terminal, nor hide text behind carriage returns.
/// </summary>
public static partial class RemoteText
{
    /// <summary>Characters kept of one remote text.</summary>
    public const int MaxLength = 4096;

    /// <summary>The printable part of <paramref name="text"/> on one line (at most <see cref="MaxLength"/> characters).</summary>
    public static string Printable(string? text) => Clean(text, keepLineBreaks: false);

    /// <summary>
    /// The same, keeping <c>\n</c> and <c>\r</c> (git's progress lines rewrite themselves with <c>\r</c>) and tabs: for
    /// the output of a git process passed through.
    /// </summary>
    public static string PrintableLines(string? text) => Clean(text, keepLineBreaks: true);

    private static string Clean(string? text, bool keepLineBreaks)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var withoutSequences = EscapeSequence().Replace(text.Length > MaxLength * 2 ? text[..(MaxLength * 2)] : text, "");
        var builder = new StringBuilder(Math.Min(withoutSequences.Length, MaxLength));
        foreach (var c in withoutSequences)
        {
            if (builder.Length >= MaxLength)
            {
                break;
            }
            if (!char.IsControl(c) && c is not ('\u2028' or '\u2029' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e')
                    or (>= '\u2066' and <= '\u2069')))
            {
                builder.Append(c);
            }
            else if (keepLineBreaks && c is '\n' or '\r' or '\t')
            {
                builder.Append(c);
            }
            else if (c is '\n' or '\r' or '\t')
            {
                builder.Append(' ');
            }
        }
        return builder.ToString();
    }

    /// <summary>CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-character ESC sequences; also their 8-bit forms.</summary>
    [GeneratedRegex(@"(\x1B\[|\x9B)[0-?]*[ -/]*[@-~]|(\x1B\]|\x9D)[^\x07\x1B\x9C]*(\x07|\x1B\\|\x9C)?|\x1B[@-Z\\-_]|\x1B.")]
    private static partial Regex EscapeSequence();
}
