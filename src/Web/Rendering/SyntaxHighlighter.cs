using System.Collections.Frozen;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using TextMateSharp.Grammars;
using TextMateSharp.Registry;

namespace GitTorrent.Web.Rendering;

/// <summary>
/// Highlights source with TextMate grammars (TextMateSharp and the VS Code grammars of TextMateSharp.Grammars: C,
/// C++, C#, Go, Rust, Python, JavaScript, TypeScript, Java, shell, Markdown, JSON, YAML, HTML, CSS, SQL, Makefile,
/// Dockerfile and more; TOML through the INI grammar, which has none of its own). Each token's innermost scope
/// becomes one of a few CSS classes (<c>k</c> keyword, <c>s</c> string, <c>c</c> comment, <c>n</c> number or
/// constant, <c>t</c> type, <c>f</c> function, <c>v</c> variable, <c>g</c> tag, <c>a</c> attribute, <c>h</c>
/// heading), so the stylesheet colours them in light and dark. Every piece of text goes through
/// <see cref="HtmlEncoder"/>. Bounded: lines longer than <see cref="MaxTokenizedLineChars"/> and everything after
/// <see cref="MaxTokenizeTime"/> stay plain. Callers cache the result by blob id.
/// </summary>
public sealed class SyntaxHighlighter
{
    /// <summary>Longer lines (minified files) are not tokenized.</summary>
    public const int MaxTokenizedLineChars = 4000;

    /// <summary>Time one file may spend in the tokenizer; the rest of it is shown plain.</summary>
    public static readonly TimeSpan MaxTokenizeTime = TimeSpan.FromSeconds(3);

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    private static readonly FrozenDictionary<string, string> LanguageByFileName = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Makefile"] = "makefile", ["makefile"] = "makefile", ["GNUmakefile"] = "makefile",
        ["Dockerfile"] = "dockerfile", ["CMakeLists.txt"] = "shellscript",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ExtraExtensions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".toml"] = "ini", [".h"] = "c", [".mk"] = "makefile", [".dockerfile"] = "dockerfile",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Scope prefixes to classes, most specific first.</summary>
    private static readonly (string Prefix, string Css)[] ScopeClasses =
    [
        ("comment", "c"), ("string", "s"), ("constant.numeric", "n"), ("constant.character", "s"), ("constant", "n"),
        ("keyword.operator", ""), ("keyword", "k"), ("storage.type", "k"), ("storage", "k"),
        ("entity.name.function", "f"), ("support.function", "f"), ("meta.function-call", "f"),
        ("support.type.property-name", "a"), ("entity.name.type", "t"), ("entity.name.class", "t"), ("entity.name.namespace", "t"),
        ("entity.name.section", "t"), ("support.type", "t"), ("support.class", "t"), ("entity.name.tag", "g"), ("entity.other.attribute-name", "a"),
        ("variable.parameter", "v"), ("variable.other.constant", "n"), ("variable.language", "k"), ("variable", "v"),
        ("markup.heading", "h"), ("markup.bold", "k"), ("markup.italic", "v"), ("markup.inline.raw", "s"), ("markup.underline.link", "s"),
    ];

    private readonly RegistryOptions options = new(ThemeName.LightPlus);
    private readonly Registry registry;
    private readonly FrozenDictionary<string, string> scopeByExtension;
    private readonly Dictionary<string, IGrammar?> grammars = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public SyntaxHighlighter()
    {
        registry = new Registry(options);
        var byExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var language in options.GetAvailableLanguages())
        {
            foreach (var extension in language.Extensions ?? [])
            {
                if (options.GetScopeByLanguageId(language.Id) is { } scope)
                {
                    byExtension.TryAdd(extension, scope);
                }
            }
        }

        foreach (var (extension, id) in ExtraExtensions)
        {
            if (options.GetScopeByLanguageId(id) is { } scope)
            {
                byExtension[extension] = scope;
            }
        }

        scopeByExtension = byExtension.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The grammar scope a path is highlighted with (part of the rendered file's cache key), or "plain".</summary>
    public string CacheKeyOf(string path) => ScopeOf(path) ?? "plain";

    /// <summary>Renders <paramref name="text"/> as an HTML table with line anchors <c>L1</c>, <c>L2</c>, ...</summary>
    public (string Html, int Lines) Render(string path, string text)
    {
        var lines = text.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var html = new StringBuilder(text.Length * 2);
        html.Append("<table class=\"code\"><tbody>");
        var grammar = ScopeOf(path) is { } scope ? GrammarOf(scope) : null;
        IStateStack? state = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var n = i + 1;
            // Compact on purpose (optional end tags, unquoted attribute values): a 4000-line file is 4000 rows.
            html.Append("<tr id=L").Append(n).Append("><td><a href=#L").Append(n).Append('>').Append(n).Append("</a><td>");
            var line = lines[i].TrimEnd('\r');
            if (grammar is null || line.Length > MaxTokenizedLineChars || clock.Elapsed > MaxTokenizeTime)
            {
                html.Append(Encoder.Encode(line));
                continue;
            }

            ITokenizeLineResult result;
            lock (gate)
            {
                result = grammar.TokenizeLine(line, state, MaxTokenizeTime);
            }

            state = result.RuleStack;
            AppendTokens(html, line, result.Tokens);
        }

        html.Append("</tbody></table>");
        return (html.ToString(), count);
    }

    private static void AppendTokens(StringBuilder html, string line, IToken[] tokens)
    {
        var open = "";
        var position = 0;
        foreach (var token in tokens)
        {
            var start = Math.Clamp(token.StartIndex, position, line.Length);
            var end = Math.Clamp(token.EndIndex, start, line.Length);
            if (end <= start)
            {
                continue;
            }

            var css = ClassOf(token.Scopes);
            if (css != open)
            {
                if (open.Length > 0)
                {
                    html.Append("</span>");
                }

                if (css.Length > 0)
                {
                    html.Append("<span class=").Append(css).Append('>');
                }

                open = css;
            }

            html.Append(Encoder.Encode(line[start..end]));
            position = end;
        }

        if (position < line.Length)
        {
            if (open.Length > 0)
            {
                html.Append("</span>");
                open = "";
            }

            html.Append(Encoder.Encode(line[position..]));
        }

        if (open.Length > 0)
        {
            html.Append("</span>");
        }
    }

    private static string ClassOf(List<string> scopes)
    {
        for (var i = scopes.Count - 1; i >= 0; i--)
        {
            foreach (var (prefix, css) in ScopeClasses)
            {
                if (scopes[i].StartsWith(prefix, StringComparison.Ordinal))
                {
                    return css;
                }
            }
        }

        return "";
    }

    private string? ScopeOf(string path)
    {
        var name = Path.GetFileName(path);
        if (LanguageByFileName.TryGetValue(name, out var id) || name.StartsWith("Dockerfile.", StringComparison.Ordinal) && (id = "dockerfile") is not null)
        {
            return options.GetScopeByLanguageId(id);
        }

        return scopeByExtension.GetValueOrDefault(Path.GetExtension(name));
    }

    private IGrammar? GrammarOf(string scope)
    {
        lock (gate)
        {
            if (!grammars.TryGetValue(scope, out var grammar))
            {
                grammar = registry.LoadGrammar(scope);
                grammars[scope] = grammar;
            }

            return grammar;
        }
    }
}
