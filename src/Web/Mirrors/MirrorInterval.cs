using System.Globalization;

namespace GitTorrent.Web.Mirrors;

/// <summary>Sync intervals as people write them: <c>30s</c>, <c>15m</c>, <c>1h</c>, <c>1d</c> (or <c>hh:mm:ss</c>).</summary>
public static class MirrorInterval
{
    public static readonly TimeSpan Default = TimeSpan.FromHours(1);
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(30);

    public static bool TryParse(string? text, out TimeSpan interval)
    {
        interval = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var unit = text[^1];
        if (char.IsLetter(unit) && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            interval = unit switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => default,
            };
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            interval = parsed;
        }

        return interval >= Minimum && interval <= Maximum;
    }

    public static string Format(TimeSpan interval) =>
        interval.TotalDays >= 1 && interval.TotalDays % 1 == 0 ? $"{interval.TotalDays:0}d"
        : interval.TotalHours >= 1 && interval.TotalHours % 1 == 0 ? $"{interval.TotalHours:0}h"
        : interval.TotalMinutes >= 1 && interval.TotalMinutes % 1 == 0 ? $"{interval.TotalMinutes:0}m"
        : $"{interval.TotalSeconds:0}s";
}
