using System.Text;

namespace GitTorrent.TestSupport.Portal;

/// <summary>
/// The repository the browsing acceptance tests compare with git itself: branches ahead of and behind main, an
/// annotated and a lightweight tag, a rename, a binary, a png, an svg with a script inside, a 5,000-line file, a
/// Markdown file with relative links and images (and one from another host), a non-UTF-8 file, hostile branch and
/// tag names, and three authors.
/// </summary>
public static class ShowcaseRepository
{
    public const string HostileBranch = "<svg/onload=alert(1)>";
    public const string HostileTag = "\"><script>alert(2)<";
    public const string SearchNeedle = "needle_in_the_haystack";

    /// <summary>A 1x1 transparent PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    public static void Build(TempGitRepo repo)
    {
        Write(repo, "README.md", "# Showcase\n\nA repository that shows every page of the portal.\n\n![logo](img/logo.png)\n");
        Directory.CreateDirectory(Path.Combine(repo.Root, "src"));
        Directory.CreateDirectory(Path.Combine(repo.Root, "docs"));
        Directory.CreateDirectory(Path.Combine(repo.Root, "img"));
        var big = new StringBuilder();
        for (var i = 1; i <= 5000; i++)
        {
            big.Append("int line_").Append(i).Append("(void) { return ").Append(i).Append("; }\n");
        }

        Write(repo, "src/big.c", big.ToString());
        Write(repo, "docs/old-name.md", "# Old\n\n" + string.Concat(Enumerable.Range(1, 20).Select(i => $"Paragraph {i} of the document that moves.\n\n")));
        CommitAs(repo, "Ada", "first commit of the showcase");

        File.WriteAllBytes(Path.Combine(repo.Root, "img/logo.png"), Png);
        Write(repo, "img/evil.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" onload=\"window.svgRan=1\"><script>window.svgRan=1;alert('svg')</script><rect width=\"10\" height=\"10\" fill=\"red\"/></svg>\n");
        File.WriteAllBytes(Path.Combine(repo.Root, "data.bin"), [0, 1, 2, 3, 0, 255, 254, 0]);
        File.WriteAllBytes(Path.Combine(repo.Root, "latin1.txt"), [.. Encoding.ASCII.GetBytes("caf"), 0xE9, .. Encoding.ASCII.GetBytes(" au lait\n")]);
        CommitAs(repo, "Brian", "add images, a binary and a latin-1 file");

        repo.Git("mv", "docs/old-name.md", "docs/new-name.md");
        File.AppendAllText(Path.Combine(repo.Root, "docs/new-name.md"), "More words after the rename.\n");
        var lines = File.ReadAllLines(Path.Combine(repo.Root, "src/big.c"));
        lines[99] = "int line_100(void) { return 100 * 2; } /* changed by Grace */";
        lines[2499] = $"int line_2500(void) {{ return 2500; }} /* {SearchNeedle} */";
        File.WriteAllText(Path.Combine(repo.Root, "src/big.c"), string.Join('\n', lines) + "\n");
        CommitAs(repo, "Grace", "rename the doc and change two lines");

        Write(repo, "docs/guide.md",
            "# Guide\n\nBack to [the README](../README.md) or [the code](../src/big.c#L100).\n\n![logo](../img/logo.png)\n\n![remote](https://images.example.com/tracker.png)\n\n<img src=\"http://images.example.com/raw.png\" alt=\"raw html\">\n");
        CommitAs(repo, "Ada", "write the guide");
        repo.Git("-c", "user.name=Ada", "-c", "user.email=ada@example.invalid", "tag", "-a", "v1.0", "-m", "Release 1.0\n\nThe first release.");

        repo.Git("checkout", "-q", "-b", "develop");
        Write(repo, "src/develop.c", "int develop(void) { return 1; }\n");
        CommitAs(repo, "Brian", "develop: one");
        Write(repo, "src/develop.c", "int develop(void) { return 2; }\n");
        CommitAs(repo, "Brian", "develop: two");
        repo.Git("checkout", "-q", "-b", HostileBranch);
        Write(repo, "hostile.txt", "hostile\n");
        CommitAs(repo, "Mallory", "a hostile branch");
        repo.Git("tag", HostileTag);
        repo.Git("checkout", "-q", "main");
        Write(repo, "CHANGES.md", "# Changes\n\n- 1.1: more\n");
        CommitAs(repo, "Grace", "changes for 1.1");
        repo.Git("tag", "v1.1");
    }

    private static void Write(TempGitRepo repo, string path, string text) =>
        File.WriteAllText(Path.Combine(repo.Root, path), text);

    private static void CommitAs(TempGitRepo repo, string author, string message)
    {
        repo.Git("add", "-A");
        repo.Git("-c", $"user.name={author}", "-c", $"user.email={author.ToLowerInvariant()}@example.invalid", "commit", "-q", "-m", message);
    }
}
