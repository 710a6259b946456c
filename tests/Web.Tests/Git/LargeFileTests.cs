using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// A 300 MB file in a repository (issue #11, portal memory): its commit page, file page, tree and raw download keep
/// the real portal process's peak resident memory (VmHWM) bounded; the pages say the file is too large and /raw
/// streams every byte.
/// </summary>
public sealed class LargeFileTests
{
    private const long FileBytes = 300L * 1024 * 1024;
    private const long MaxPeakBytes = 600L * 1024 * 1024;

    /// <summary>No single page of the big file may raise the peak by this much (loading it once would).</summary>
    private const long MaxGrowthBytes = 150L * 1024 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task AThreeHundredMegabyteFileKeepsThePortalBounded()
    {
        await using var storage = PortalStorage.Sqlite();
        using var repository = new TempGitRepo();
        repository.Commit("README.md", "# Big\n");
        await Task.Run(() => WriteBigFile(Path.Combine(repository.Root, "huge.txt"))).WaitAsync(Timeout);
        repository.Git("add", "huge.txt");
        repository.Git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "add a huge file");
        var commit = repository.Git("rev-parse", "HEAD").Trim();
        var blobId = repository.Git("rev-parse", "HEAD:huge.txt").Trim();
        File.Delete(Path.Combine(repository.Root, "huge.txt"));
        var userId = PortalTestData.RandomId();
        await PortalTestData.SeedUserAsync(storage, userId, "Big", [("big", repository)], Timeout).WaitAsync(Timeout);

        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        using var http = new HttpClient { BaseAddress = portal.Http.BaseAddress, Timeout = Timeout };
        await GetPageAsync(http, $"/u/{userId}/big/blob/main/README.md");
        var baseline = PeakBytes(portal.Runner.Id);

        var commitPage = await GetPageAsync(http, $"/u/{userId}/big/commit/{commit}");
        Assert.Contains("too large to diff", commitPage, StringComparison.Ordinal);
        Assert.True(commitPage.Length < 200_000, $"commit page is {commitPage.Length} chars");
        AssertBounded(portal, baseline, "commit page");

        var blobPage = await GetPageAsync(http, $"/u/{userId}/big/blob/main/huge.txt");
        Assert.Contains("too large to show", blobPage, StringComparison.Ordinal);
        Assert.Contains("300 MiB", blobPage, StringComparison.Ordinal);
        AssertBounded(portal, baseline, "file page");

        var tree = await GetPageAsync(http, $"/u/{userId}/big/tree/main");
        Assert.Contains("huge.txt", tree, StringComparison.Ordinal);
        Assert.Contains("300 MiB", tree, StringComparison.Ordinal);
        AssertBounded(portal, baseline, "tree");

        // /raw streams: every byte arrives, and git's own object id of them is the blob's.
        using (var raw = await http.GetAsync(new Uri($"/raw/{userId}/big/main/huge.txt", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
            Assert.Equal(FileBytes, raw.Content.Headers.ContentLength);
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha1.AppendData(Encoding.ASCII.GetBytes($"blob {FileBytes}\0"));
            await using var body = await raw.Content.ReadAsStreamAsync().WaitAsync(Timeout);
            var buffer = new byte[1 << 20];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
            {
                sha1.AppendData(buffer, 0, read);
                total += read;
            }

            Assert.Equal(FileBytes, total);
            Assert.Equal(blobId, Convert.ToHexStringLower(sha1.GetHashAndReset()));
        }

        AssertBounded(portal, baseline, "raw download");
    }

    private static void WriteBigFile(string path)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var line = new byte[64];
        for (long written = 0, n = 0; written < FileBytes; written += line.Length, n++)
        {
            Encoding.ASCII.GetBytes(n.ToString("D12", CultureInfo.InvariantCulture) + " the quick brown fox jumps over the lazy dog ....\n", line);
            file.Write(line, 0, (int)Math.Min(line.Length, FileBytes - written));
        }
    }

    private static async Task<string> GetPageAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        return body;
    }

    private static void AssertBounded(PortalProcess portal, long baseline, string step)
    {
        var peak = PeakBytes(portal.Runner.Id);
        Assert.True(peak < MaxPeakBytes && peak - baseline < MaxGrowthBytes,
            $"after the {step} the portal's peak RSS is {peak / 1048576} MiB (baseline {baseline / 1048576} MiB)");
    }

    /// <summary>VmHWM of a process: its peak resident set, from /proc.</summary>
    private static long PeakBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
