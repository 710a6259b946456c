using System.Globalization;
using System.Text;

namespace GitTorrent.Web.Tests.Observability;

/// <summary>
/// A strict parser of the Prometheus text exposition format (version 0.0.4): <c># HELP</c> and <c># TYPE</c> lines,
/// samples <c>name{label="value",...} value [timestamp]</c> with escaped label values. Anything else throws
/// <see cref="FormatException"/>: a family typed twice, a sample of a family whose TYPE came after it, a bad name, an
/// unterminated label value, a value that is not a float, or the same series twice.
/// </summary>
internal static class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    /// <summary>Series (name plus sorted labels, as <c>name{a="1",b="2"}</c>) and their values; family types by name.</summary>
    public static (IReadOnlyDictionary<string, double> Series, IReadOnlyDictionary<string, string> Types) Parse(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    if (parts.Length != 4 || !IsName(parts[2]) || !Types.Contains(parts[3]))
                    {
                        throw new FormatException($"line {number}: bad TYPE line: {line}");
                    }
                    if (!types.TryAdd(parts[2], parts[3]) || sampled.Contains(parts[2]))
                    {
                        throw new FormatException($"line {number}: TYPE of {parts[2]} repeated or after its samples");
                    }
                }
                else if (parts.Length >= 3 && parts[1] == "HELP" && !IsName(parts[2]))
                {
                    throw new FormatException($"line {number}: bad HELP line: {line}");
                }
                continue;
            }
            var (name, labels, rest) = ParseSeries(line, number);
            var fields = rest.Split(' ', StringSplitOptions.None);
            if (fields.Length is < 1 or > 2 || !TryParseValue(fields[0], out var value)
                || (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            {
                throw new FormatException($"line {number}: bad value or timestamp: {line}");
            }
            sampled.Add(Family(name, types));
            var key = labels.Count == 0 ? name : $"{name}{{{string.Join(',', labels.Order(StringComparer.Ordinal))}}}";
            if (!series.TryAdd(key, value))
            {
                throw new FormatException($"line {number}: series {key} repeated");
            }
        }
        return (series, types);
    }

    private static (string Name, List<string> Labels, string Remainder) ParseSeries(string line, int number)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }
        var name = line[..i];
        if (!IsName(name))
        {
            throw new FormatException($"line {number}: bad metric name '{name}'");
        }
        var labels = new List<string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (i < line.Length && line[i] != '=')
                {
                    i++;
                }
                var label = line[start..i];
                if (!IsName(label) || label.Contains(':', StringComparison.Ordinal) || i + 1 >= line.Length || line[i + 1] != '"')
                {
                    throw new FormatException($"line {number}: bad label '{label}'");
                }
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"line {number}: unterminated label value");
                    }
                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }
                    if (c == '\\')
                    {
                        value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var other => throw new FormatException($"line {number}: bad escape \\{other}") });
                        continue;
                    }
                    value.Append(c);
                }
                labels.Add($"{label}=\"{value}\"");
                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException($"line {number}: expected ',' or '}}' after a label");
                }
            }
            i++;
        }
        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {number}: no value");
        }
        return (name, labels, line[(i + 1)..]);
    }

    private static string Family(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return name[..^suffix.Length];
            }
        }
        return name;
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static bool IsName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
}
