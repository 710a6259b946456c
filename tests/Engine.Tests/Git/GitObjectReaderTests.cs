using GitTorrent.Engine.Git;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Git;

/// <summary>
/// <see cref="GitObjectReader"/> reads every object of real repositories exactly as <c>git cat-file</c> does: loose
/// objects, packs with deep offset-delta chains, packs with reference deltas, and objects found through alternates; and
/// a damaged pack gives "missing", never an exception.
/// </summary>
public sealed class GitObjectReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_object_reads_as_git_reads_it(bool offsetDeltas)
    {
        using var repo = SimilarFiles();
        repo.Git("-c", $"repack.useDeltaBaseOffset={(offsetDeltas ? "true" : "false")}", "repack", "-adf", "-q", "--depth=100", "--window=50");
        var chains = System.Text.RegularExpressions.Regex.Matches(
            repo.Git("verify-pack", "-v", Directory.GetFiles(Path.Combine(repo.GitDir, "objects", "pack"), "*.idx")[0]), @"chain length = (\d+)");
        Assert.True(chains.Max(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) >= 10, "the pack has deep delta chains");
        repo.Commit("loose.txt", "a loose object after the repack\n");
        await AssertSameAsGitAsync(repo.GitDir, repo.GitDir);
    }

    [Fact]
    public async Task Objects_of_alternates_are_found_and_the_size_bound_holds()
    {
        using var origin = SimilarFiles();
        origin.Git("gc", "-q");
        using var borrower = new TempGitRepo(bare: true);
        File.WriteAllText(Path.Combine(borrower.GitDir, "objects", "info", "alternates"), Path.Combine(origin.GitDir, "objects") + "\n");
        await AssertSameAsGitAsync(borrower.GitDir, origin.GitDir);

        using var reader = GitObjectReader.Open(borrower.GitDir);
        var head = Hash20.Parse(origin.Git("rev-parse", "HEAD:file0.txt").Trim());
        var bounded = reader.Read(head, 10);
        Assert.NotNull(bounded);
        Assert.Null(bounded.Content);
        Assert.True(bounded.Size > 10);
        Assert.Null(reader.Read(Hash20.Random(), 1 << 20));
    }

    [Fact]
    public void A_damaged_pack_reads_as_missing()
    {
        using var repo = SimilarFiles();
        repo.Git("gc", "-q");
        var blob = Hash20.Parse(repo.Git("rev-parse", "HEAD:file3.txt").Trim());
        var pack = Directory.GetFiles(Path.Combine(repo.GitDir, "objects", "pack"), "*.pack")[0];
        var bytes = File.ReadAllBytes(pack);
        for (var i = 12; i < bytes.Length - 20; i += 7)
        {
            bytes[i] ^= 0x5a;
        }
        File.SetAttributes(pack, FileAttributes.Normal);
        File.WriteAllBytes(pack, bytes);
        using var reader = GitObjectReader.Open(repo.GitDir);
        Assert.Null(reader.Read(blob, 1 << 20));
    }

    private static TempGitRepo SimilarFiles()
    {
        var repo = new TempGitRepo();
        Directory.CreateDirectory(Path.Combine(repo.Root, "dir"));
        var lines = Enumerable.Range(0, 200).Select(i => $"line {i} of a file that changes a little in every commit").ToList();
        for (var c = 0; c < 30; c++)
        {
            lines[(c * 7) % lines.Count] = $"changed in commit {c}";
            for (var f = 0; f < 4; f++)
            {
                File.WriteAllText(Path.Combine(repo.Root, $"file{f}.txt"), string.Join('\n', lines.Select(l => $"{f}: {l}")) + "\n");
            }
            repo.Commit($"dir/c{c}.txt", $"commit {c}\n");
        }
        return repo;
    }

    private static async Task AssertSameAsGitAsync(string readerDirectory, string gitDirectory)
    {
        var ids = TempGitRepo.Run(gitDirectory, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Hash20.Parse).ToList();
        Assert.True(ids.Count > 150, $"{ids.Count} objects");
        await using var git = GitCatFile.Start(gitDirectory);
        var expected = await git.ReadAsync([.. ids.Select(i => i.ToString())], 1 << 24, CancellationToken.None).WaitAsync(Timeout);
        using var reader = GitObjectReader.Open(readerDirectory);
        for (var i = 0; i < ids.Count; i++)
        {
            var mine = reader.Read(ids[i], 1 << 24);
            Assert.NotNull(mine);
            Assert.Equal(expected[i]!.Type, mine.Type.ToString().ToLowerInvariant());
            Assert.Equal(expected[i]!.Content, mine.Content);
        }
    }
}
