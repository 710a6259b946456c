using GitTorrent.Web.Mirrors;

namespace GitTorrent.Web.Tests.Mirrors;

/// <summary>The sync intervals an admin types (form, API, CLI): units, hh:mm:ss, the bounds, and the round trip.</summary>
public sealed class MirrorIntervalTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 15 * 60)]
    [InlineData(" 1h ", 3600)]
    [InlineData("1.5h", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("30d", 30 * 86400)]
    [InlineData("00:00:01", 1)]
    [InlineData("02:30:00", 9000)]
    public void Parses_units_and_clock_times(string text, int seconds)
    {
        Assert.True(MirrorInterval.TryParse(text, out var interval));
        Assert.Equal(TimeSpan.FromSeconds(seconds), interval);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5x")]
    [InlineData("0s")]
    [InlineData("-1h")]
    [InlineData("0.5s")]
    [InlineData("31d")]
    [InlineData("00:00:00")]
    public void Refuses_unknown_units_and_values_outside_1s_to_30d(string? text) =>
        Assert.False(MirrorInterval.TryParse(text, out _));

    [Theory]
    [InlineData(30, "30s")]
    [InlineData(90, "90s")]
    [InlineData(300, "5m")]
    [InlineData(5400, "90m")]
    [InlineData(7200, "2h")]
    [InlineData(86400, "1d")]
    [InlineData(90000, "25h")]
    public void Formats_in_the_largest_whole_unit_and_parses_back(int seconds, string text)
    {
        Assert.Equal(text, MirrorInterval.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(MirrorInterval.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
