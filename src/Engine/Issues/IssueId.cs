using System.Globalization;
using System.Text;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Issue ids (docs/PROTOCOL.md section 6): the first 12 lowercase hex digits of SHA-1 over the UTF-8 text
/// <c>&lt;author user id&gt;\n&lt;created, Unix seconds&gt;\n&lt;title&gt;</c>.
/// </summary>
public static class IssueId
{
    /// <summary>Hex digits in an id.</summary>
    public const int Length = 12;

    public static string Derive(Hash20 author, long createdUnixSeconds, string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var text = string.Create(CultureInfo.InvariantCulture, $"{author}\n{createdUnixSeconds}\n{title}");
        return Hash20.Sha1(Encoding.UTF8.GetBytes(text)).ToString()[..Length];
    }

    /// <summary>True for exactly 12 lowercase hex digits: a folder name under <c>.issues/</c> that can be an issue.</summary>
    public static bool IsValid(ReadOnlySpan<char> text) => text.Length == Length && IsLowerHex(text);

    /// <summary>True for 4 to 12 lowercase hex digits: what a command line may abbreviate an id to.</summary>
    public static bool IsPrefix(ReadOnlySpan<char> text) => text.Length is >= 4 and <= Length && IsLowerHex(text);

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }
}
