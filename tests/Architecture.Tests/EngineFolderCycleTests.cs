namespace GitTorrent.Architecture.Tests;

/// <summary>
/// No folder of the Engine imports a folder that imports it back (docs/ARCHITECTURE.md, "Engine folders"). A folder is
/// a namespace one level below <c>GitTorrent.Engine</c> with everything under it (<c>Wire</c> holds
/// <c>Wire.Messages</c> and <c>Wire.Extensions</c>); the root namespace itself is a folder too.
/// </summary>
public sealed class EngineFolderCycleTests
{
    private const string Root = "GitTorrent.Engine";

    [Fact]
    public void EngineFolderGraphHasNoCycle()
    {
        var graph = EngineFolderGraph.Build();
        Assert.True(graph.Edges.Count > 5, $"the graph has too few edges to be real: {graph.Describe()}");
        var cycles = graph.FindCycles();
        Assert.True(cycles.Count == 0, "Engine folders import each other: " + string.Join("; ", cycles.Select(graph.DescribeCycle)));
    }

    [Fact]
    public void BaseUsesNoOtherFolderButTheRoot()
    {
        var graph = EngineFolderGraph.Build();
        var uses = graph.Edges.Where(e => e.From == "Base" && e.To != Root).Select(e => e.To).ToList();
        Assert.True(uses.Count == 0, "Base must stay below every folder, but uses " + string.Join(", ", uses));
    }
}
