namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>Locates the repository root: the nearest folder above the test binaries holding GitTorrent.slnx.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitTorrent.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No GitTorrent.slnx above {AppContext.BaseDirectory}.");
    }
}
