using System.Reflection;

namespace GitTorrent.Architecture.Tests;

/// <summary>The assemblies the rules read, loaded by name from this test's output (each is a project reference).</summary>
internal static class Layers
{
    public static Assembly Engine { get; } = Assembly.Load("GitTorrent.Engine");

    public static Assembly Data { get; } = Assembly.Load("GitTorrent.Data");

    public static Assembly Indexer { get; } = Assembly.Load("GitTorrent.Indexer");

    public static Assembly Web { get; } = Assembly.Load("GitTorrent.Web");

    public static Assembly Cli { get; } = Assembly.Load("GitTorrent.Cli.Core");

    /// <summary>Namespaces of database types: EF Core, Npgsql and our Data project.</summary>
    public static readonly string[] Database = ["Microsoft.EntityFrameworkCore", "Npgsql", "GitTorrent.Data"];

    /// <summary>Namespaces of web types: ASP.NET Core (Blazor included) and our portal.</summary>
    public static readonly string[] WebTypes = ["Microsoft.AspNetCore", "GitTorrent.Web"];

    /// <summary>Our CLI programs.</summary>
    public static readonly string[] CliTypes = ["GitTorrent.Cli"];

    /// <summary>Our indexer.</summary>
    public static readonly string[] IndexerTypes = ["GitTorrent.Indexer"];
}
