using System.Text;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// The front-matter block of issue and comment files (docs/PROTOCOL.md section 6): a first line <c>---</c>, then one
/// <c>key: value</c> per line (the value is everything after the first <c>": "</c>), then a line <c>---</c>, then
/// the Markdown body. A line ends at <c>\n</c> or <c>\r\n</c>; a <c>\r</c> anywhere else in the front matter is refused.
/// Parsing is bounded by <see cref="IssueLimits"/> and reports problems as text, never throws.
/// </summary>
public sealed class FrontMatter
{
    private const string Fence = "---";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private FrontMatter(IReadOnlyList<FrontMatterField> fields, string body)
    {
        Fields = fields;
        Body = body;
    }

    /// <summary>Every field in file order (unknown keys included: they are kept and ignored).</summary>
    public IReadOnlyList<FrontMatterField> Fields { get; }

    /// <summary>Everything after the closing <c>---</c> line.</summary>
    public string Body { get; }

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public string? this[string key] => Fields.FirstOrDefault(f => f.Key == key)?.Value;

    /// <summary>Decodes a file: strict UTF-8, no NUL bytes, at most <see cref="IssueLimits.MaxFileBytes"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, IssueLimits limits, out string text, out string error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        text = "";
        if (bytes.Length > limits.MaxFileBytes)
        {
            error = $"larger than {limits.MaxFileBytes} bytes";
            return false;
        }
        if (bytes.Contains((byte)0))
        {
            error = "binary (contains NUL bytes)";
            return false;
        }
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            error = "not valid UTF-8";
            return false;
        }
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        error = "";
        return true;
    }

    public static bool TryParse(string text, IssueLimits limits, out FrontMatter? result, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(limits);
        result = null;
        var position = 0;
        if (!TryReadLine(text, ref position, out var first) || first != Fence)
        {
            error = "no front matter (the file must start with a line ---)";
            return false;
        }
        var fields = new List<FrontMatterField>();
        while (true)
        {
            if (!TryReadLine(text, ref position, out var line))
            {
                error = "front matter is not closed by a line ---";
                return false;
            }
            if (line == Fence)
            {
                break;
            }
            if (fields.Count >= limits.MaxFrontMatterLines)
            {
                error = $"more than {limits.MaxFrontMatterLines} front-matter lines";
                return false;
            }
            if (!IsValue(line))
            {
                // A line ends at \n (or \r\n); a lone \r inside it would be a value no writer can write back.
                error = $"front-matter line {fields.Count + 2} holds a carriage return inside it";
                return false;
            }
            var separator = line.IndexOf(": ", StringComparison.Ordinal);
            var key = separator >= 0 ? line[..separator] : line.EndsWith(':') ? line[..^1] : null;
            if (key is null || !IsKey(key))
            {
                error = $"front-matter line {fields.Count + 2} is not 'key: value'";
                return false;
            }
            if (fields.Any(f => f.Key == key))
            {
                error = $"'{key}' appears twice in the front matter";
                return false;
            }
            fields.Add(new FrontMatterField(key, separator >= 0 ? line[(separator + 2)..] : ""));
        }
        result = new FrontMatter(fields, text[position..]);
        error = "";
        return true;
    }

    /// <summary>Writes a block and body: the fields in order, then <paramref name="body"/> ending with a newline.</summary>
    public static string Write(IEnumerable<FrontMatterField> fields, string body)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(body);
        var text = new StringBuilder();
        text.Append(Fence).Append('\n');
        foreach (var field in fields)
        {
            if (!IsKey(field.Key) || !IsValue(field.Value))
            {
                throw new ArgumentException($"'{field.Key}' cannot be written as a front-matter line", nameof(fields));
            }
            text.Append(field.Key).Append(": ").Append(field.Value).Append('\n');
        }
        text.Append(Fence).Append('\n');
        text.Append(body);
        if (body.Length > 0 && body[^1] != '\n')
        {
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Replaces the value of one existing field in <paramref name="text"/>, leaving every other byte as it was
    /// (other fields, unknown keys, line endings and the body). Null when the text has no such field.
    /// </summary>
    public static string? ReplaceValue(string text, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsValue(value))
        {
            throw new ArgumentException("a front-matter value cannot contain a line break", nameof(value));
        }
        var position = 0;
        if (!TryReadLine(text, ref position, out var first) || first != Fence)
        {
            return null;
        }
        while (true)
        {
            var start = position;
            if (!TryReadLine(text, ref position, out var line) || line == Fence)
            {
                return null;
            }
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                return string.Concat(text[..start], key + ": " + value, text[(start + line.Length)..]);
            }
        }
    }

    /// <summary>A field name: letters, digits, '-' and '_'.</summary>
    public static bool IsKey(string key) =>
        key.Length is > 0 and <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A field value: one line of text.</summary>
    public static bool IsValue(string value) => value.IndexOfAny(['\n', '\r']) < 0;

    /// <summary>Reads one line (without its \n or \r\n); false at the end of the text.</summary>
    private static bool TryReadLine(string text, ref int position, out string line)
    {
        if (position >= text.Length)
        {
            line = "";
            return false;
        }
        var end = text.IndexOf('\n', position);
        var next = end < 0 ? text.Length : end + 1;
        var stop = end < 0 ? text.Length : end;
        if (stop > position && text[stop - 1] == '\r')
        {
            stop--;
        }
        line = text[position..stop];
        position = next;
        return true;
    }
}
