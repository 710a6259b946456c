using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Profiles;

public sealed class ProfileBuilderTests
{
    [Fact]
    public async Task Lists_each_served_repository_with_its_refs()
    {
        using var full = new TempGitRepo();
        var tip = full.Commit();
        full.Git("tag", "v1");
        using var empty = new TempGitRepo(bare: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var profile = await ProfileBuilder.BuildAsync(
            [new ServedRepository("proj", full.GitDir), new ServedRepository("empty", empty.GitDir)], "Ada", null, cts.Token);

        Assert.Equal("Ada", profile.Name);
        Assert.Equal(tip, profile.Repositories["proj"]["HEAD"]);
        Assert.Equal(tip, profile.Repositories["proj"]["refs/heads/main"]);
        Assert.Equal(tip, profile.Repositories["proj"]["refs/tags/v1"]);
        Assert.Empty(profile.Repositories["empty"]);
        var reparsed = UserProfile.Parse(profile.ToJson());
        Assert.Equal(profile.Repositories["proj"], reparsed.Repositories["proj"]);
    }

    [Fact]
    public void Seq_always_increases()
    {
        var time = new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        Assert.Equal(1_700_000_000, ProfileBuilder.NextSeq(null, time));
        Assert.Equal(1_700_000_000, ProfileBuilder.NextSeq(5, time));
        Assert.Equal(1_800_000_001, ProfileBuilder.NextSeq(1_800_000_000, time));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
