namespace GitTorrent.Web.Tests;

/// <summary>The default of <c>GitTorrent__PublicUrl</c>: the first listening URL, wildcard hosts made reachable.</summary>
public sealed class PublicUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://[::]:8080", "http://localhost:8080")]
    [InlineData("http://+:80", "http://localhost")]
    [InlineData("https://*:8443", "https://localhost:8443")]
    [InlineData("http://git.example.org:8080/", "http://git.example.org:8080")]
    public void The_first_listening_url_is_the_default(string listening, string expected) =>
        Assert.Equal(expected, PublicUrl.FirstListening([listening, "http://127.0.0.1:9999"]));

    [Fact]
    public void No_listening_url_means_no_default() => Assert.Null(PublicUrl.FirstListening([]));
}
