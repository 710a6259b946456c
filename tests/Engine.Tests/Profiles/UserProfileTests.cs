using System.Text;
using GitTorrent.Engine.Profiles;

namespace GitTorrent.Engine.Tests.Profiles;

public sealed class UserProfileTests
{
    private const string Commit = "5fbfea8de70ddc686dafdd24b690893f98eb9475";

    [Fact]
    public void Parses_the_original_layout_and_writes_it_back_canonically()
    {
        var json = """{"name":"Chris Ball","email":"chris@printf.net","repositories":{"recursers":{"HEAD":"@@","refs/heads/master":"@@"}}}""".Replace("@@", Commit, StringComparison.Ordinal);
        var profile = UserProfile.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal("Chris Ball", profile.Name);
        Assert.Equal("chris@printf.net", profile.Email);
        Assert.Equal(Hash20.Parse(Commit), profile.Repositories["recursers"]["refs/heads/master"]);
        Assert.Equal(0, profile.DroppedEntries);
        Assert.Equal(json, Encoding.UTF8.GetString(profile.ToJson()));
    }

    [Fact]
    public void Unknown_keys_are_kept_and_hostile_entries_dropped_and_counted()
    {
        var json = $$$"""
            {"x-future":{"a":[1,2]},"name":"<script>alert(1)</script>",
             "repositories":{"../etc":{"HEAD":"{{{Commit}}}"},"ok":{"refs/heads/../x":"{{{Commit}}}","refs/heads/main":"{{{Commit.ToUpperInvariant()}}}","refs/tags/v1":"{{{Commit}}}","refs/remotes/o/m":"{{{Commit}}}"}},
             "manifest":"nothex"}
            """;
        var profile = UserProfile.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal("<script>alert(1)</script>", profile.Name);
        Assert.Equal(["ok"], profile.Repositories.Keys);
        Assert.Equal(["refs/tags/v1"], profile.Repositories["ok"].Keys);
        Assert.Equal(5, profile.DroppedEntries);
        Assert.Null(profile.Manifest);
        Assert.Contains("\"x-future\":{\"a\":[1,2]}", Encoding.UTF8.GetString(profile.ToJson()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"name\":")]
    [InlineData("\"text\"")]
    public void Rejects_documents_that_are_not_json_objects(string json)
    {
        Assert.False(UserProfile.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Deep_nesting_is_rejected_not_a_stack_overflow()
    {
        var json = "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.False(UserProfile.TryParse(Encoding.UTF8.GetBytes(json), out _, out _));
    }

    [Fact]
    public void Large_profiles_need_a_manifest_and_the_short_form_fits()
    {
        var profile = new UserProfile { Name = "Many Repos" };
        for (var i = 0; i < 40; i++)
        {
            profile.Repositories[$"repo{i}"] = new(StringComparer.Ordinal) { ["HEAD"] = Hash20.Parse(Commit) };
        }
        Assert.False(profile.FitsInline(out var full));
        Assert.True(full.Length > UserProfile.MaxInlineJsonBytes);

        var manifest = Hash20.Sha1(full);
        var inline = profile.WithManifest(manifest);
        Assert.True(inline.Length <= UserProfile.MaxInlineJsonBytes);
        var reparsed = UserProfile.Parse(inline);
        Assert.Equal(manifest, reparsed.Manifest);
        Assert.Equal("Many Repos", reparsed.Name);
        Assert.Empty(reparsed.Repositories);
        Assert.Equal(40, UserProfile.Parse(full).Repositories.Count);
    }

    [Theory]
    [InlineData("HEAD", true)]
    [InlineData("refs/heads/main", true)]
    [InlineData("refs/tags/v1.0", true)]
    [InlineData("refs/heads/feature/x", true)]
    [InlineData("refs/heads/a..b", false)]
    [InlineData("refs/heads/x.lock", false)]
    [InlineData("refs/heads/with space", false)]
    [InlineData("refs/heads/", false)]
    [InlineData("refs/notes/x", false)]
    [InlineData("refs/heads/a@{1}", false)]
    [InlineData("refs/heads/.hidden", false)]
    [InlineData("refs/heads/a.lock/b", false)]
    [InlineData("refs/heads/a.", false)]
    [InlineData("refs/heads/@", true)]
    public void Ref_name_validation(string name, bool valid) => Assert.Equal(valid, UserProfile.IsValidRefName(name));

    [Fact]
    public void Refs_git_refuses_are_dropped_and_counted_and_the_others_stay_usable()
    {
        // As JSON text: \\u escapes stay escapes, so the parser meets a DEL and a lone surrogate.
        string[] bad = ["refs/heads/a.lock/b", "refs/heads/x/y", "refs/heads/x/y/z", "refs/heads/a\\u007f", "refs/heads/a\\ud800", "refs/heads/a..b"];
        string[] good = ["HEAD", "refs/heads/main", "refs/heads/x", "refs/heads/x-y", "refs/tags/v1"];
        var refs = string.Join(",", bad.Concat(good).Append("refs/heads/dup").Append("refs/heads/dup").Select(r => $"\"{r}\":\"{Commit}\""));
        var json = "{\"repositories\":{\"r\":{" + refs + "},\"r2\":{\"refs/heads/main\":\"" + Commit + "\"}}}";

        Assert.True(UserProfile.TryParse(Encoding.UTF8.GetBytes(json), out var profile, out var error), error);

        Assert.Equal(good.Order(StringComparer.Ordinal), profile.Repositories["r"].Keys);
        Assert.Equal(["refs/heads/main"], profile.Repositories["r2"].Keys);
        Assert.Equal(bad.Length + 2, profile.DroppedEntries); // "dup" twice: both occurrences
    }

    [Fact]
    public void Repeated_keys_and_lone_surrogates_anywhere_are_dropped_not_thrown()
    {
        var json = """
            {"name":"a","name":"b","email":"\ud800","x":{"k":1,"k":2},"y":"\udc00","z":[1],
             "repositories":{"r":{"HEAD":"@@"},"r":{"HEAD":"@@"},"s":{"HEAD":"\ud800"},"\ud800":{"HEAD":"@@"}}}
            """.Replace("@@", Commit, StringComparison.Ordinal);
        Assert.True(UserProfile.TryParse(Encoding.UTF8.GetBytes(json), out var profile, out var error), error);

        Assert.Null(profile.Name);
        Assert.Null(profile.Email);
        Assert.Equal(["z"], profile.Extra.Keys);
        Assert.Equal(["s"], profile.Repositories.Keys);
        Assert.Empty(profile.Repositories["s"]);
        // name x2, x (a repeated key inside), y (a lone surrogate inside), r x2, the lone-surrogate repository name and
        // s's HEAD; the unreadable email is just absent.
        Assert.Equal(8, profile.DroppedEntries);
        Assert.Contains("\"z\":[1]", Encoding.UTF8.GetString(profile.ToJson()));
    }
}
