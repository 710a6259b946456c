namespace GitTorrent.Web.Provenance;

/// <summary>Compares the branches and tags an origin advertises with those the portal serves.</summary>
public static class OriginComparison
{
    /// <summary>
    /// The ref names (<c>refs/heads/*</c>, <c>refs/tags/*</c>) that point elsewhere, exist only at the origin or only
    /// here, sorted; empty when both sides agree. Other refs (<c>refs/pull/*</c>, <c>HEAD</c>) are not compared.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> origin, IReadOnlyDictionary<string, string> served)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(served);
        var names = origin.Keys.Concat(served.Keys).Where(IsCompared).Distinct(StringComparer.Ordinal);
        return [.. names.Where(n => !origin.TryGetValue(n, out var a) || !served.TryGetValue(n, out var b) || !string.Equals(a, b, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Parses <c>git ls-remote</c> output (<c>&lt;40 hex&gt;\t&lt;ref&gt;</c> per line; peeled <c>^{}</c> lines and
    /// malformed lines are skipped) into the compared refs.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseLsRemote(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab != 40 || !Engine.Hash20.TryParse(line[..tab], out _))
            {
                continue;
            }
            var name = line[(tab + 1)..];
            if (IsCompared(name) && !name.EndsWith("^{}", StringComparison.Ordinal))
            {
                refs[name] = line[..tab].ToLowerInvariant();
            }
        }
        return refs;
    }

    private static bool IsCompared(string name) =>
        name.StartsWith("refs/heads/", StringComparison.Ordinal) || name.StartsWith("refs/tags/", StringComparison.Ordinal);
}
