namespace GitTorrent.Engine.Tests;

public sealed class GitTorrentUrlTests
{
    [Fact]
    public void Host_form()
    {
        var url = GitTorrentUrl.Parse("gittorrent://github.com/cjb/recursers");
        Assert.Equal(GitTorrentUrlKind.Host, url.Kind);
        Assert.Equal("https://github.com/cjb/recursers", url.OriginUrl());
        Assert.Equal("http://github.com/cjb/recursers", url.OriginUrl("http"));
        Assert.Equal("http://127.0.0.1:8080/x/y", GitTorrentUrl.Parse("gittorrent://127.0.0.1:8080/x/y.git").OriginUrl("http"));
    }

    [Fact]
    public void Key_form_normalises_to_lowercase()
    {
        var url = GitTorrentUrl.Parse("gittorrent://81E24205D4BAC8496D3E13282C90EAD5045F09EA/recursers");
        Assert.Equal(GitTorrentUrlKind.Key, url.Kind);
        Assert.Equal("81e24205d4bac8496d3e13282c90ead5045f09ea", url.UserId.ToString());
        Assert.Equal("recursers", url.Repository);
        Assert.Throws<InvalidOperationException>(() => url.OriginUrl());
    }

    [Fact]
    public void Name_form()
    {
        var url = GitTorrentUrl.Parse("gittorrent://cjb/recursers/");
        Assert.Equal(GitTorrentUrlKind.Name, url.Kind);
        Assert.Equal("cjb", url.Authority);
        Assert.Equal("gittorrent://cjb/recursers", url.ToString());
    }

    [Theory]
    [InlineData("https://github.com/a/b")]
    [InlineData("gittorrent://cjb")]
    [InlineData("gittorrent://cjb/")]
    [InlineData("gittorrent://CJB/x")]
    [InlineData("gittorrent://-bad/x")]
    [InlineData("gittorrent://cjb/../etc")]
    [InlineData("gittorrent://github.com/a/../b")]
    [InlineData("gittorrent://81e24205d4bac8496d3e13282c90ead5045f09ea/<script>")]
    public void Rejects_bad_urls_with_a_reason(string text)
    {
        Assert.False(GitTorrentUrl.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
