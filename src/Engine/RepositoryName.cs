using System.Text.RegularExpressions;

namespace GitTorrent.Engine;

/// <summary>
/// The rule for repository names in URLs, profiles and served folders (docs/PROTOCOL.md sections 1 and 3): up to six
/// path segments of letters, digits, '.', '_' and '-', none starting with '.' or '-' or ending in <c>.lock</c>, each
/// at most 100 characters.
/// </summary>
public static partial class RepositoryName
{
    [GeneratedRegex(@"^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,99})(?:/[A-Za-z0-9_][A-Za-z0-9._-]{0,99}){0,5}$")]
    private static partial Regex Pattern();

    /// <summary>Whether <paramref name="name"/> is a name we publish and accept.</summary>
    public static bool IsValid(string name) =>
        Pattern().IsMatch(name) && !name.Split('/').Any(s => s.EndsWith(".lock", StringComparison.Ordinal));
}
