using GitTorrent.Web.Rendering;

namespace GitTorrent.Web.Tests.Rendering;

/// <summary>The TextMate highlighter on the languages the portal promises: a real grammar colours each of them.</summary>
public sealed class SyntaxHighlighterTests
{
    private static readonly SyntaxHighlighter Highlighter = new();

    [Theory]
    [InlineData("main.c", "#include <stdio.h>\nint main(void) { return 0; } /* done */\n", "<span class=k>int</span>", "/* done */</span>")]
    [InlineData("lib.h", "static const char *name = \"x\";\n", "<span class=k>static</span>", "<span class=s>&quot;x&quot;</span>")]
    [InlineData("a.cpp", "template <typename T> class Box { };\n", "<span class=k>template</span>", "<span class=t>Box</span>")]
    [InlineData("A.cs", "namespace N; public sealed class A { string s = \"q\"; }\n", "<span class=k>namespace</span>", "<span class=s>&quot;q&quot;</span>")]
    [InlineData("main.go", "package main\nfunc main() { // hi\n}\n", "<span class=k>func</span>", "<span class=c>// hi</span>")]
    [InlineData("lib.rs", "fn main() { let x = 5; }\n", "<span class=k>fn</span>", "<span class=n>5</span>")]
    [InlineData("a.py", "def f(x):\n    return 'y'  # c\n", "<span class=k>def</span>", "<span class=c># c</span>")]
    [InlineData("a.js", "const x = `t`; // c\n", "<span class=k>const</span>", "<span class=c>// c</span>")]
    [InlineData("a.ts", "interface P { name: string }\n", "<span class=k>interface</span>", "<span class=t>string</span>")]
    [InlineData("A.java", "public class A { int x = 1; }\n", "<span class=k>public</span>", "<span class=n>1</span>")]
    [InlineData("run.sh", "if [ -f x ]; then echo \"y\"; fi # c\n", "<span class=k>if</span>", "<span class=c># c</span>")]
    [InlineData("README.md", "# Title\n\nSome `code` here.\n", "<span class=h>", "<span class=s>")]
    [InlineData("a.json", "{ \"key\": 12 }\n", "<span class=a>", "<span class=n>12</span>")]
    [InlineData("a.yaml", "key: value # c\n", "<span class=g>key</span>", "<span class=c># c</span>")]
    [InlineData("Cargo.toml", "[package]\nname = \"x\" # c\n", "<span class=t>", "<span class=c># c</span>")]
    [InlineData("a.html", "<div class=\"x\">hi</div>\n", "<span class=g>div</span>", "<span class=a>class</span>")]
    [InlineData("a.css", "body { color: red; }\n", "<span class=g>body</span>", "<span class=a>color</span>")]
    [InlineData("q.sql", "SELECT id FROM t WHERE x = 'y';\n", "<span class=k>SELECT</span>", "<span class=s>&#x27;y&#x27;</span>")]
    [InlineData("Makefile", "all: build # c\n\tcc -o x x.c\n", "<span class=c># c</span>", "<span class=f>all</span>")]
    [InlineData("Dockerfile", "FROM debian:12\nRUN echo hi # c\n", "<span class=k>FROM</span>", "<span class=k>RUN</span>")]
    public void RealGrammarsColourEveryPromisedLanguage(string path, string source, string expected, string alsoExpected)
    {
        var (html, lines) = Highlighter.Render(path, source);
        Assert.Equal(source.Count(c => c == '\n'), lines);
        Assert.True(html.Contains(expected, StringComparison.Ordinal) && html.Contains(alsoExpected, StringComparison.Ordinal), html);
    }

    [Fact]
    public void TextIsEncodedAndUnknownFilesArePlain()
    {
        var (html, _) = Highlighter.Render("notes.unknownext", "<script>alert(1)</script>\n");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<span", html, StringComparison.Ordinal);
        var (js, _) = Highlighter.Render("x.js", "var s = \"</script><script>alert(1)</script>\";\n");
        Assert.DoesNotContain("<script>", js, StringComparison.Ordinal);
    }
}
