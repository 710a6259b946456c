using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace GitTorrent.Architecture.Tests;

/// <summary>
/// Which Engine folder uses which, read from the compiled types by NetArchTest (signatures and method bodies): an
/// edge A -> B holds the types of A that use a type of B.
/// </summary>
internal sealed class EngineFolderGraph
{
    private const string Root = "GitTorrent.Engine";

    public required IReadOnlyList<string> Folders { get; init; }

    public required IReadOnlyList<EngineFolderEdge> Edges { get; init; }

    public static EngineFolderGraph Build()
    {
        var types = Types.InAssembly(Layers.Engine).GetTypes()
            .Where(t => t.Namespace is { } ns && (ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal)))
            .ToList();
        var folders = types.Select(t => FolderOf(t.Namespace!)).Distinct().Order(StringComparer.Ordinal).ToList();
        var rootTypes = types.Where(t => t.Namespace == Root && !t.IsNested).Select(t => t.FullName!).ToArray();
        var edges = new List<EngineFolderEdge>();
        foreach (var from in folders)
        {
            foreach (var to in folders.Where(f => f != from))
            {
                // NetArchTest matches names segment by segment: "GitTorrent.Engine.Git" takes in Git.Xyz, not GitTorrentUrl.
                string[] targets = to == Root ? rootTypes : [$"{Root}.{to}"];
                var result = Types.InAssembly(Layers.Engine).That().ResideInNamespaceMatching(Pattern(from))
                    .ShouldNot().HaveDependencyOnAny(targets).GetResult();
                if (!result.IsSuccessful)
                {
                    edges.Add(new EngineFolderEdge(from, to, [.. result.FailingTypeNames ?? []]));
                }
            }
        }
        return new EngineFolderGraph { Folders = folders, Edges = edges };
    }

    /// <summary>Each cycle once, as the list of folders along it (the first folder not repeated at the end).</summary>
    public IReadOnlyList<IReadOnlyList<string>> FindCycles()
    {
        var next = Edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var cycles = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>();
        foreach (var start in Folders)
        {
            // Cycles through start whose other folders all sort after it: each cycle is found once, from its least folder.
            var path = new List<string> { start };
            Walk(start);
            void Walk(string at)
            {
                foreach (var to in next.GetValueOrDefault(at) ?? [])
                {
                    if (to == start)
                    {
                        var key = string.Join(">", path);
                        if (seen.Add(key))
                        {
                            cycles.Add([.. path]);
                        }
                    }
                    else if (string.CompareOrdinal(to, start) > 0 && !path.Contains(to) && path.Count < Folders.Count)
                    {
                        path.Add(to);
                        Walk(to);
                        path.RemoveAt(path.Count - 1);
                    }
                }
            }
        }
        return cycles;
    }

    public string DescribeCycle(IReadOnlyList<string> cycle) =>
        string.Join(" -> ", cycle.Append(cycle[0]).Select(Short)) + " (" + string.Join(", ",
            cycle.Select((from, i) => Edges.Single(e => e.From == from && e.To == cycle[(i + 1) % cycle.Count]))
                .Select(e => $"{Short(e.From)} -> {Short(e.To)} in {string.Join(", ", e.Types.Take(3))}")) + ")";

    public string Describe() => string.Join(", ", Edges.Select(e => $"{Short(e.From)} -> {Short(e.To)}"));

    private static string Short(string folder) => folder == Root ? "(root)" : folder;

    private static string FolderOf(string ns) => ns == Root ? Root : ns[(Root.Length + 1)..].Split('.')[0];

    private static string Pattern(string folder) =>
        folder == Root ? $"^{Regex.Escape(Root)}$" : $"^{Regex.Escape(Root + "." + folder)}(\\..*)?$";
}
