using System.Diagnostics;
using System.Text;
using CsCheck;
using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Tests.Git;

/// <summary><see cref="GitRefName"/> against the real <c>git check-ref-format</c>, on a table of hostile names and on generated ones.</summary>
public sealed class GitRefNameTests
{
    public static TheoryData<string> HostileNames =>
    [
        "refs/heads/a.lock/b", "refs/heads/a.lock", "refs/heads/.lock", "refs/heads/x.lock.lock", "refs/heads/a/.b",
        "refs/heads/.a", "refs/heads/a.", "refs/heads/a/b.", "refs/heads/a./b", "refs/heads/a..b", "refs/heads/a/", "refs/heads//a",
        "/refs/heads/a", "refs/heads/a@{b", "refs/heads/@{", "refs/heads/@", "refs/heads/a@", "@", "refs", "HEAD", "refs/heads/",
        "refs/heads/a b", "refs/heads/a\tb", "refs/heads/a\u007fb", "refs/heads/a\u0001b", "refs/heads/a~1", "refs/heads/a^",
        "refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/[a", "refs/heads/a\\b", "refs/heads/é", "refs/heads/-a", "-refs/heads/a", "-a/b",
        "refs/heads/{", "refs/heads/lock", "refs/heads/a.loc", "refs/heads/a.b", "refs/tags/v1.0", "refs/heads/main",
        "refs/heads/feature/x", "refs/heads/日本", "refs/heads/😀", "refs/heads/...", "refs/heads/.", "a/b",
    ];

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Agrees_with_git_on_hostile_names(string name) =>
        Assert.Equal(GitAccepts([name])[0], GitRefName.IsValid(name));

    [Fact]
    public void Agrees_with_git_on_generated_names()
    {
        // Mostly pieces git allows, so that the rules about where they may stand are what decides; now and then a hostile one.
        var piece = Gen.Frequency(
            (8, OneOf("a", "b", "é", "/", ".", ".lock", "lock", "@", "{", "-", "refs/heads/")),
            (1, OneOf("..", "//", "@{", "}", "~", "^", ":", "?", "*", "[", "\\", " ", "\t", "\u007f", "\u0001", "refs/tags/")));
        var name = piece.Array[1, 8].Select(string.Concat);
        var names = name.Array[400].Single(_ => true, seed: "0000000000000");
        // Fresh names on every run too (CsCheck picks a seed), all checked by one git run each.
        var more = name.Array[200].Single();
        string[] all = [.. names, .. more];
        var git = GitAccepts(all);
        var disagreements = all.Where((name, i) => git[i] != GitRefName.IsValid(name)).ToList();
        Assert.True(disagreements.Count == 0, "disagree with git: " + string.Join(", ", disagreements.Select(n => $"'{n}'")));
        Assert.Contains(true, git);
        Assert.Contains(false, git);
    }

    [Fact]
    public void Lone_surrogates_are_refused()
    {
        Assert.False(GitRefName.IsValid("refs/heads/\ud800"));
        Assert.False(GitRefName.IsValid("refs/heads/\udc00x"));
        Assert.True(GitRefName.IsValid("refs/heads/\ud83d\ude00"));
    }

    [Fact]
    public void Directory_file_conflicts_keep_the_shorter_name()
    {
        var refs = new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["refs/heads/x"] = 1, ["refs/heads/x/y"] = 2, ["refs/heads/x/y/z"] = 3, ["refs/heads/x-1"] = 4, ["refs/heads/xy/z"] = 5,
            ["refs/tags/x"] = 6, ["HEAD"] = 7,
        };
        Assert.Equal(2, GitRefName.RemoveDirectoryFileConflicts(refs));
        Assert.Equal(["HEAD", "refs/heads/x", "refs/heads/x-1", "refs/heads/xy/z", "refs/tags/x"], refs.Keys);
    }

    private static Gen<string> OneOf(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary>Whether <c>git check-ref-format</c> accepts each name: one shell loop, one git run per name.</summary>
    internal static bool[] GitAccepts(IReadOnlyList<string> names)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("while IFS= read -r -d '' name; do if git check-ref-format \"$name\"; then echo 1; else echo 0; fi; done");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        foreach (var name in names)
        {
            process.StandardInput.Write(name + "\0");
        }
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "git check-ref-format did not finish");
        var lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(names.Count, lines.Length);
        return [.. lines.Select(l => l == "1")];
    }
}
