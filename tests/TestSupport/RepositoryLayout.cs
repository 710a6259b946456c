using System.Reflection;

namespace GitTorrent.TestSupport;

/// <summary>Finds the checkout and the build outputs of other projects (built by the test project's references).</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever this test assembly was built as.</summary>
    public static string Configuration { get; } =
        typeof(RepositoryLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>e.g. <c>Output("src/Web", "GitTorrent.Web.dll")</c>.</summary>
    public static string Output(string projectDirectory, string fileName)
    {
        var path = Path.Combine(Root, projectDirectory, "bin", Configuration, "net10.0", fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build GitTorrent.slnx).", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitTorrent.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"GitTorrent.slnx not found above {AppContext.BaseDirectory}");
    }
}
