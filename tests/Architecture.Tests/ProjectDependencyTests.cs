using System.Reflection;
using NetArchTest.Rules;

namespace GitTorrent.Architecture.Tests;

/// <summary>
/// The projects depend one way (docs/ARCHITECTURE.md, "Projects and the direction of their dependencies"): Web on
/// Indexer, Data and Engine; Indexer on Data and Engine; Cli on Engine; the Engine on nothing of ours.
/// </summary>
public sealed class ProjectDependencyTests
{
    [Fact]
    public void EngineReferencesNoDatabaseWebCliOrIndexerType() =>
        AssertNoDependency(Layers.Engine, [.. Layers.Database, .. Layers.WebTypes, .. Layers.CliTypes, .. Layers.IndexerTypes]);

    [Fact]
    public void IndexerReferencesNoWebType() => AssertNoDependency(Layers.Indexer, [.. Layers.WebTypes, .. Layers.CliTypes]);

    [Fact]
    public void CliReferencesNoWebIndexerOrDatabaseType() =>
        AssertNoDependency(Layers.Cli, [.. Layers.WebTypes, .. Layers.IndexerTypes, .. Layers.Database]);

    [Fact]
    public void DataReferencesNoWebIndexerOrCliType() =>
        AssertNoDependency(Layers.Data, ["GitTorrent.Web", .. Layers.IndexerTypes, .. Layers.CliTypes]);

    private static void AssertNoDependency(Assembly assembly, string[] forbidden)
    {
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful,
            $"{assembly.GetName().Name} must not use {string.Join(", ", forbidden)}, but these types do: "
            + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
