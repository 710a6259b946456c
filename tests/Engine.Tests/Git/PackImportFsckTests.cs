using GitTorrent.Engine.Git;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Git;

/// <summary>
/// A full pack from the swarm is checked as git's own fetch checks one (fetch.fsckObjects, transfer.fsckObjects,
/// fetch.fsck.*), strict when nothing is configured; with the checks turned off it is accepted exactly when git's fetch
/// accepts it.
/// </summary>
public sealed class PackImportFsckTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempGitRepo _source = new();
    private readonly List<TempGitRepo> _targets = [];

    /// <summary>A commit whose .gitmodules names a submodule "../../evil" (gitmodulesName, an error for fsck).</summary>
    private Hash20 BadGitmodules() =>
        _source.Commit(".gitmodules", "[submodule \"../../evil\"]\n\tpath = x\n\turl = https://example.com/x\n");

    /// <summary>A commit whose tree lists the same file twice (duplicateEntries), written with hash-object --literally.</summary>
    private Hash20 DuplicateEntries()
    {
        var blob = Hash20.Parse(_source.Git("hash-object", "-w", "--stdin").Trim() is { Length: 40 } b ? b : throw new InvalidOperationException());
        var entry = "100644 a\0"u8.ToArray().Concat(blob.ToArray()).ToArray();
        var file = Path.Combine(_source.Root, "..", Path.GetFileName(_source.Root) + ".tree");
        File.WriteAllBytes(file, [.. entry, .. entry]);
        try
        {
            var tree = _source.Git("hash-object", "-t", "tree", "--literally", "-w", file).Trim();
            return Hash20.Parse(_source.Git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit-tree", tree, "-m", "dup").Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<byte[]> FullPackAsync(Hash20 want)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new MemoryStream();
        await PackBuilder.BuildAsync(_source.Root, want, [], buffer, cts.Token);
        return buffer.ToArray();
    }

    private TempGitRepo Target(params (string Key, string Value)[] config)
    {
        var target = new TempGitRepo(bare: true);
        _targets.Add(target);
        foreach (var (key, value) in config)
        {
            target.Git("config", key, value);
        }
        return target;
    }

    /// <summary>What git's own fetch does with the commit, into a fresh repository configured the same way.</summary>
    private bool GitFetchAccepts(Hash20 commit, params (string Key, string Value)[] config)
    {
        var target = Target(config);
        _source.Git("update-ref", "refs/heads/probe", commit.ToString());
        try
        {
            target.Git("fetch", "-q", _source.Root, "refs/heads/probe:refs/heads/probe");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<PackImportResult> ImportAsync(TempGitRepo target, byte[] pack, Hash20 want)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await PackImporter.ImportAsync(target.GitDir, new MemoryStream(pack), want, [], cts.Token);
    }

    private static void AssertNothingLeft(TempGitRepo target, Hash20 commit)
    {
        var objects = Path.Combine(target.GitDir, "objects");
        Assert.Empty(Directory.GetFiles(Path.Combine(objects, "pack")));
        Assert.Empty(Directory.GetDirectories(objects, "incoming-*"));
        Assert.Throws<InvalidOperationException>(() => target.Git("cat-file", "-e", commit.ToString()));
    }

    public static TheoryData<string> Cases => ["gitmodules", "duplicate entries"];

    private Hash20 Make(string kind)
    {
        _source.Commit();
        return kind == "gitmodules" ? BadGitmodules() : DuplicateEntries();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_pack_with_an_object_fsck_refuses_is_refused_by_default_and_leaves_nothing_behind(string kind)
    {
        var bad = Make(kind);
        var pack = await FullPackAsync(bad);
        var target = Target();
        var refusals = PackImporter.FsckRefusals;

        var result = await ImportAsync(target, pack, bad);

        Assert.False(result.Success);
        Assert.Contains("fsck", result.Error, StringComparison.Ordinal);
        Assert.Contains(kind == "gitmodules" ? "gitmodulesName" : "duplicateEntries", result.Error, StringComparison.Ordinal);
        Assert.True(PackImporter.FsckRefusals > refusals);
        AssertNothingLeft(target, bad);
        // git's fetch with the checks on refuses it too.
        Assert.False(GitFetchAccepts(bad, ("fetch.fsckObjects", "true")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task With_the_checks_turned_off_the_pack_is_accepted_exactly_when_git_fetch_accepts_it(string kind)
    {
        var bad = Make(kind);
        var pack = await FullPackAsync(bad);
        (string, string)[][] configs =
        [
            [("fetch.fsckObjects", "false")],
            [("transfer.fsckObjects", "false")],
            [("transfer.fsckObjects", "false"), ("fetch.fsckObjects", "true")],
            [("fetch.fsckObjects", "true"), ("fetch.fsck.gitmodulesName", "ignore"), ("fetch.fsck.duplicateEntries", "warn")],
            [("fetch.fsckObjects", "true"), ("fetch.fsck.noSuchCheck", "ignore")],
        ];
        foreach (var config in configs)
        {
            var git = GitFetchAccepts(bad, config);
            var target = Target(config);
            var result = await ImportAsync(target, pack, bad);
            var label = string.Join(", ", config.Select(c => $"{c.Item1}={c.Item2}"));
            Assert.True(git == result.Success, $"{label}: git fetch {(git ? "accepts" : "refuses")}, the import {(result.Success ? "accepted" : "refused: " + result.Error)}");
            if (result.Success)
            {
                Assert.Equal("commit", target.Git("cat-file", "-t", bad.ToString()).Trim());
            }
            else
            {
                AssertNothingLeft(target, bad);
            }
        }
        // What git does (documented in README): it accepts these packs when the checks are off.
        Assert.True(GitFetchAccepts(bad, ("fetch.fsckObjects", "false")));
    }

    public void Dispose()
    {
        _source.Dispose();
        foreach (var target in _targets)
        {
            target.Dispose();
        }
    }
}
