namespace GitTorrent.TestSupport;

/// <summary>Finds the checkout's root (the folder holding GitTorrent.slnx) from a test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GitTorrent.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("GitTorrent.slnx not found above " + AppContext.BaseDirectory);
    }
}
