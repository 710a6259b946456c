using GitTorrent.TestSupport;
using GitTorrent.Web.Node;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// <c>/admin</c> sums the store's folders while git writes and removes files in them (a mirror sync's temporary
/// objects, a download finishing): files and folders that vanish mid-walk are skipped, never a 500.
/// </summary>
public sealed class StorageUsageTests
{
    [Fact]
    public async Task Folder_bytes_survive_files_and_folders_vanishing_during_the_walk()
    {
        using var root = new TempDirectory("storage-usage");
        var stable = Path.Combine(root.Path, "stable.bin");
        await File.WriteAllBytesAsync(stable, new byte[12345]);
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var folder = Path.Combine(root.Path, $"tmp-{n % 8}", $"sub-{n % 3}");
                Directory.CreateDirectory(folder);
                for (var i = 0; i < 20; i++)
                {
                    File.WriteAllBytes(Path.Combine(folder, $"f{i}"), [1, 2, 3]);
                }

                Directory.Delete(Path.Combine(root.Path, $"tmp-{n % 8}"), recursive: true);
                n++;
            }
        });

        try
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (DateTime.UtcNow < until && !churn.IsCompleted)
            {
                Assert.True(StorageUsage.FolderBytes(root.Path) >= 12345);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await churn.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
