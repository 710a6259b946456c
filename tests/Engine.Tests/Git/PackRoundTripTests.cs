using GitTorrent.Engine.Git;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Git;

public sealed class PackRoundTripTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<byte[]> BuildPackAsync(string repo, Hash20 want, params Hash20[] haves)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new MemoryStream();
        await PackBuilder.BuildAsync(repo, want, haves, buffer, cts.Token);
        return buffer.ToArray();
    }

    private static int PackFileCount(string gitDir) =>
        Directory.GetFiles(Path.Combine(gitDir, "objects", "pack"), "*.pack").Length;

    [Fact]
    public async Task A_full_pack_imports_into_an_empty_repository_and_is_complete()
    {
        using var source = new TempGitRepo();
        source.Commit();
        source.Commit();
        var tip = source.Commit();
        using var target = new TempGitRepo(bare: true);

        var pack = await BuildPackAsync(source.Root, tip);
        using var cts = new CancellationTokenSource(Timeout);
        var result = await PackImporter.ImportAsync(target.GitDir, new MemoryStream(pack), tip, [], cts.Token);

        Assert.True(result.Success, result.Error);
        Assert.Equal(pack.Length, result.PackBytes);
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");
        Assert.Equal(3, int.Parse(target.Git("rev-list", "--count", "main").Trim()));
        Assert.Empty(Directory.GetDirectories(Path.Combine(target.GitDir, "objects"), "incoming-*"));
    }

    [Fact]
    public async Task An_incremental_pack_with_haves_is_thin_and_far_smaller()
    {
        using var source = new TempGitRepo();
        for (var i = 0; i < 20; i++)
        {
            source.Commit($"big{i}.txt", string.Concat(Enumerable.Range(0, 200).Select(n => $"line {i}.{n} {Guid.NewGuid()}\n")));
        }
        var old = Hash20.Parse(source.Git("rev-parse", "HEAD").Trim());
        var tip = source.Commit("big0.txt", string.Concat(Enumerable.Repeat("changed\n", 10)) + File.ReadAllText(Path.Combine(source.Root, "big0.txt")));

        using var target = new TempGitRepo(bare: true);
        var full = await BuildPackAsync(source.Root, old);
        using var cts = new CancellationTokenSource(Timeout);
        Assert.True((await PackImporter.ImportAsync(target.GitDir, new MemoryStream(full), old, [], cts.Token)).Success);

        var unknownHave = Hash20.Parse("1234567890123456789012345678901234567890");
        var incremental = await BuildPackAsync(source.Root, tip, old, unknownHave);
        Assert.True(incremental.Length * 20 < full.Length, $"incremental {incremental.Length} vs full {full.Length}");

        var result = await PackImporter.ImportAsync(target.GitDir, new MemoryStream(incremental), tip, [old], cts.Token);
        Assert.True(result.Success, result.Error);
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");
    }

    [Fact]
    public async Task A_pack_with_more_wants_holds_every_known_tip_and_is_the_same_in_any_order()
    {
        using var source = new TempGitRepo();
        source.Commit("a.txt", "a\n");
        source.Git("checkout", "-q", "-b", "side");
        var side = source.Commit("side.txt", "side\n");
        source.Git("checkout", "-q", "-b", "orphan-ish", "main");
        var other = source.Commit("other.txt", "other\n");
        source.Git("checkout", "-q", "main");
        var main = source.Commit("main.txt", "main\n");
        var unknown = Hash20.Parse("1234567890123456789012345678901234567890");
        using var cts = new CancellationTokenSource(Timeout);

        var one = new MemoryStream();
        await PackBuilder.BuildAsync(source.Root, main, [side, unknown, other], [], one, cts.Token);
        var two = new MemoryStream();
        await PackBuilder.BuildAsync(source.Root, main, [other, side, side], [], two, cts.Token);
        Assert.Equal(one.ToArray(), two.ToArray());

        using var target = new TempGitRepo(bare: true);
        var result = await PackImporter.ImportAsync(target.GitDir, new MemoryStream(one.ToArray()), main, [], cts.Token);
        Assert.True(result.Success, result.Error);
        foreach (var tip in new[] { main, side, other })
        {
            Assert.Equal("commit", target.Git("cat-file", "-t", tip.ToString()).Trim());
        }
        target.Git("update-ref", "refs/heads/side", side.ToString());
        target.Git("update-ref", "refs/heads/other", other.ToString());
        target.Git("update-ref", "refs/heads/main", main.ToString());
        target.Git("fsck", "--strict");

        // Without more wants the pack holds main's history only.
        var alone = await BuildPackAsync(source.Root, main);
        using var only = new TempGitRepo(bare: true);
        Assert.True((await PackImporter.ImportAsync(only.GitDir, new MemoryStream(alone), main, [], cts.Token)).Success);
        Assert.Throws<InvalidOperationException>(() => only.Git("cat-file", "-t", side.ToString()));
    }

    [Fact]
    public async Task A_pack_missing_the_wanted_commit_is_discarded()
    {
        using var source = new TempGitRepo();
        var parent = source.Commit();
        var tip = source.Commit();
        using var target = new TempGitRepo(bare: true);

        var lying = await BuildPackAsync(source.Root, parent);
        using var cts = new CancellationTokenSource(Timeout);
        var result = await PackImporter.ImportAsync(target.GitDir, new MemoryStream(lying), tip, [], cts.Token);

        Assert.False(result.Success);
        Assert.Contains(tip.ToString(), result.Error);
        Assert.Equal(0, PackFileCount(target.GitDir));
        Assert.Empty(Directory.GetDirectories(Path.Combine(target.GitDir, "objects"), "incoming-*"));
    }

    [Fact]
    public async Task A_thin_pack_with_the_wanted_commit_but_not_all_its_objects_is_discarded()
    {
        using var source = new TempGitRepo();
        var old = source.Commit("a.txt", "first\n");
        var middle = source.Commit("b.txt", "second\n");
        var tip = source.Commit("c.txt", "first\n"); // the same blob as a.txt: the target has it
        using var target = new TempGitRepo(bare: true);
        using var cts = new CancellationTokenSource(Timeout);
        Assert.True((await PackImporter.ImportAsync(target.GitDir, new MemoryStream(await BuildPackAsync(source.Root, old)), old, [], cts.Token)).Success);
        var before = PackFileCount(target.GitDir);

        // A pack made of the wanted commit and its tree only: its parent (the middle commit) is in neither the pack nor
        // the repository. Sent as an answer to "tip, have old", it must not be taken.
        var objects = $"{tip}\n{source.Git("rev-parse", tip + "^{tree}").Trim()}\n";
        var lying = new MemoryStream();
        await GitRunner.RunToStreamAsync(source.Root, ["pack-objects", "--stdout", "-q"], lying, cts.Token, standardInput: objects);
        lying.Position = 0;
        var result = await PackImporter.ImportAsync(target.GitDir, lying, tip, [old], cts.Token);

        Assert.False(result.Success);
        Assert.Contains(tip.ToString(), result.Error);
        // What the pack's objects name and nobody has: the middle commit (tip's parent) or b.txt's blob (in tip's tree).
        var secondBlob = source.Git("rev-parse", tip + ":b.txt").Trim();
        Assert.True(result.Error!.Contains(middle.ToString(), StringComparison.Ordinal) || result.Error.Contains(secondBlob, StringComparison.Ordinal),
            result.Error);
        Assert.Equal(before, PackFileCount(target.GitDir));
        Assert.Empty(Directory.GetDirectories(Path.Combine(target.GitDir, "objects"), "incoming-*"));
    }

    [Fact]
    public async Task A_corrupt_pack_is_discarded_with_a_reason()
    {
        using var source = new TempGitRepo();
        var tip = source.Commit();
        using var target = new TempGitRepo(bare: true);
        var pack = await BuildPackAsync(source.Root, tip);
        pack[pack.Length / 2] ^= 0xFF;

        using var cts = new CancellationTokenSource(Timeout);
        var result = await PackImporter.ImportAsync(target.GitDir, new MemoryStream(pack), tip, [], cts.Token);

        Assert.False(result.Success);
        Assert.StartsWith("the pack is corrupt", result.Error);
        Assert.Equal(0, PackFileCount(target.GitDir));
    }

    [Fact]
    public async Task Building_a_pack_for_an_unknown_commit_fails_clearly()
    {
        using var source = new TempGitRepo();
        source.Commit();
        var missing = Hash20.Parse("00000000000000000000000000000000000000aa");
        var ex = await Assert.ThrowsAsync<GitTorrentException>(() => BuildPackAsync(source.Root, missing));
        Assert.Contains(missing.ToString(), ex.Message);
    }
}
