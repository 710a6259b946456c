using System.Collections.Frozen;
using System.Text;
using System.Text.Encodings.Web;

namespace GitTorrent.Web.Rendering;

/// <summary>
/// A small, safe highlighter: per language it knows line and block comments, string quotes and keywords, and emits
/// a table of numbered lines whose every piece of text goes through <see cref="HtmlEncoder"/>. Unknown languages get
/// line numbers only. It never guesses by content and never runs anything from the file.
/// </summary>
public sealed class SyntaxHighlighter
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    private static readonly Language CLike = new(["//"], ("/*", "*/"), "\"'", [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float",
        "for", "goto", "if", "inline", "int", "long", "register", "return", "short", "signed", "sizeof", "static", "struct",
        "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "NULL", "class",
        "namespace", "public", "private", "protected", "virtual", "template", "typename", "new", "delete", "this", "using",
        "try", "catch", "throw", "nullptr", "override", "final", "#include", "#define", "#if", "#ifdef", "#ifndef",
        "#endif", "#else", "#elif", "#undef", "#pragma",
    ]);

    private static readonly Language CSharp = new(["//"], ("/*", "*/"), "\"'", [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "false", "finally", "float",
        "for", "foreach", "if", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null",
        "object", "out", "override", "private", "protected", "public", "readonly", "record", "ref", "return", "sealed",
        "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "using", "var",
        "virtual", "void", "while", "yield", "get", "set", "init", "required",
    ]);

    private static readonly Language Script = new(["//"], ("/*", "*/"), "\"'`", [
        "break", "case", "catch", "class", "const", "continue", "default", "delete", "do", "else", "export", "extends",
        "false", "finally", "for", "function", "if", "import", "in", "instanceof", "let", "new", "null", "return", "super",
        "switch", "this", "throw", "true", "try", "typeof", "undefined", "var", "void", "while", "yield", "async", "await",
        "interface", "type", "enum", "implements", "package", "func", "go", "defer", "chan", "map", "range", "struct",
        "fn", "let", "mut", "impl", "trait", "pub", "use", "mod", "match", "loop", "public", "private", "static",
    ]);

    private static readonly Language Hash = new(["#"], null, "\"'", [
        "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else", "except", "False", "finally",
        "for", "from", "global", "if", "import", "in", "is", "lambda", "None", "not", "or", "pass", "raise", "return",
        "True", "try", "while", "with", "yield", "then", "fi", "do", "done", "case", "esac", "function", "local", "export",
        "echo", "set", "end", "begin", "module", "require", "unless", "until",
    ]);

    private static readonly Language Plain = new([], null, "", []);

    private static readonly FrozenDictionary<string, Language> ByExtension = new Dictionary<string, Language>(StringComparer.OrdinalIgnoreCase)
    {
        [".c"] = CLike, [".h"] = CLike, [".cc"] = CLike, [".cpp"] = CLike, [".hpp"] = CLike, [".cxx"] = CLike,
        [".java"] = CLike, [".kt"] = CLike, [".swift"] = CLike, [".cs"] = CSharp, [".razor"] = CSharp,
        [".js"] = Script, [".mjs"] = Script, [".ts"] = Script, [".tsx"] = Script, [".jsx"] = Script, [".go"] = Script,
        [".rs"] = Script, [".json"] = Script, [".css"] = Script, [".py"] = Hash, [".sh"] = Hash, [".bash"] = Hash,
        [".rb"] = Hash, [".pl"] = Hash, [".yml"] = Hash, [".yaml"] = Hash, [".toml"] = Hash, [".cmake"] = Hash,
        [".txt"] = Plain, [".md"] = Plain,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Renders <paramref name="text"/> as an HTML table with line anchors <c>L1</c>, <c>L2</c>, ...</summary>
    public (string Html, int Lines) Render(string path, string text)
    {
        var language = LanguageOf(path);
        var lines = text.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var html = new StringBuilder(text.Length * 2);
        html.Append("<table class=\"code\"><tbody>");
        var inBlock = false;
        for (var i = 0; i < count; i++)
        {
            var n = i + 1;
            // Compact on purpose (optional end tags, unquoted attribute values): a 4000-line file is 4000 rows.
            html.Append("<tr id=L").Append(n).Append("><td><a href=#L").Append(n).Append('>').Append(n).Append("</a><td>");
            inBlock = RenderLine(html, lines[i].TrimEnd('\r'), language, inBlock);
        }

        html.Append("</tbody></table>");
        return (html.ToString(), count);
    }

    public static string CacheKeyOf(string path) => LanguageOf(path) switch
    {
        var l when l == CLike => "c",
        var l when l == CSharp => "csharp",
        var l when l == Script => "script",
        var l when l == Hash => "hash-comment",
        _ => "plain",
    };

    private static Language LanguageOf(string path)
    {
        var name = Path.GetFileName(path);
        if (name is "Makefile" or "Dockerfile" or "CMakeLists.txt")
        {
            return Hash;
        }

        return ByExtension.TryGetValue(Path.GetExtension(name), out var language) ? language : Plain;
    }

    private static bool RenderLine(StringBuilder html, string line, Language language, bool inBlock)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (inBlock)
            {
                var end = line.IndexOf(language.Block!.Value.End, i, StringComparison.Ordinal);
                var stop = end < 0 ? line.Length : end + language.Block.Value.End.Length;
                Span(html, "c", line[i..stop]);
                i = stop;
                inBlock = end < 0;
                continue;
            }

            if (language.Block is { } block && string.CompareOrdinal(line, i, block.Start, 0, block.Start.Length) == 0)
            {
                inBlock = true;
                Span(html, "c", block.Start);
                i += block.Start.Length;
                continue;
            }

            if (language.LineComments.Any(p => string.CompareOrdinal(line, i, p, 0, p.Length) == 0))
            {
                Span(html, "c", line[i..]);
                break;
            }

            var ch = line[i];
            if (language.Quotes.Contains(ch))
            {
                var j = i + 1;
                while (j < line.Length && line[j] != ch)
                {
                    j += line[j] == '\\' ? 2 : 1;
                }

                j = Math.Min(j + 1, line.Length);
                Span(html, "s", line[i..j]);
                i = j;
                continue;
            }

            if (char.IsDigit(ch))
            {
                var j = i;
                while (j < line.Length && (char.IsLetterOrDigit(line[j]) || line[j] == '.'))
                {
                    j++;
                }

                Span(html, "n", line[i..j]);
                i = j;
                continue;
            }

            if (char.IsLetter(ch) || ch is '_' or '#')
            {
                var j = i + 1;
                while (j < line.Length && (char.IsLetterOrDigit(line[j]) || line[j] == '_'))
                {
                    j++;
                }

                var word = line[i..j];
                if (language.Keywords.Contains(word))
                {
                    Span(html, "k", word);
                }
                else
                {
                    html.Append(Encoder.Encode(word));
                }

                i = j;
                continue;
            }

            var k = i + 1;
            while (k < line.Length && !char.IsLetterOrDigit(line[k]) && line[k] is not ('_' or '#' or '/' or '"' or '\'' or '`'))
            {
                k++;
            }

            html.Append(Encoder.Encode(line[i..k]));
            i = k;
        }

        return inBlock;
    }

    private static void Span(StringBuilder html, string css, string text) =>
        html.Append("<span class=").Append(css).Append('>').Append(Encoder.Encode(text)).Append("</span>");

    private sealed record Language(string[] LineComments, (string Start, string End)? Block, string Quotes, string[] KeywordList)
    {
        public FrozenSet<string> Keywords { get; } = KeywordList.ToFrozenSet(StringComparer.Ordinal);
    }
}
