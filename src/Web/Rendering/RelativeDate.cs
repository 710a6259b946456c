using System.Globalization;

namespace GitTorrent.Web.Rendering;

/// <summary>"3 days ago" text for a moment, relative to now; the exact time goes in the element's title.</summary>
public static class RelativeDate
{
    public static string Format(DateTimeOffset when, DateTimeOffset now)
    {
        var age = now - when;
        if (age < TimeSpan.FromMinutes(1))
        {
            return age < TimeSpan.FromMinutes(-5) ? "in the future" : "just now";
        }

        return age switch
        {
            { TotalHours: < 1 } => Plural((int)age.TotalMinutes, "minute"),
            { TotalDays: < 1 } => Plural((int)age.TotalHours, "hour"),
            { TotalDays: < 2 } => "yesterday",
            { TotalDays: < 31 } => Plural((int)age.TotalDays, "day"),
            { TotalDays: < 365 } => Plural((int)(age.TotalDays / 30.44), "month"),
            _ => Plural((int)(age.TotalDays / 365.25), "year"),
        };
    }

    /// <summary>The exact moment for the hover text: UTC, to the second.</summary>
    public static string Exact(DateTimeOffset when) =>
        when.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")} ago");
}
