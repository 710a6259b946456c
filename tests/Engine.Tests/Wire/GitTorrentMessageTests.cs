using System.Text;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class GitTorrentMessageTests
{
    private const string Sha = "5fbfea8de70ddc686dafdd24b690893f98eb9475";
    private const string Info = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public void Request_matches_the_original_wire_format()
    {
        var bytes = GitTorrentMessage.Request(Hash20.Parse(Sha)).Encode();
        Assert.Equal($"d10:gittorrentd3:sha40:{Sha}ee", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Request_with_haves_round_trips()
    {
        var have = Hash20.Parse(Info);
        var bytes = GitTorrentMessage.Request(Hash20.Parse(Sha), [have]).Encode();
        Assert.Equal($"d10:gittorrentd4:havel40:{Info}e3:sha40:{Sha}ee", Encoding.ASCII.GetString(bytes));
        Assert.True(GitTorrentMessage.TryDecode(bytes, out var message, out _));
        Assert.Equal(GitTorrentMessageKind.Request, message.Kind);
        Assert.Equal([have], message.Haves);
    }

    [Fact]
    public void Reply_uses_camel_case_infoHash_as_hex_text()
    {
        var bytes = GitTorrentMessage.Reply(Hash20.Parse(Info)).Encode();
        Assert.Equal($"d10:gittorrentd8:infoHash40:{Info}ee", Encoding.ASCII.GetString(bytes));
        Assert.True(GitTorrentMessage.TryDecode(bytes, out var message, out _));
        Assert.Equal(GitTorrentMessageKind.Reply, message.Kind);
        Assert.Equal(Info, message.InfoHash.ToString());
    }

    [Fact]
    public void Error_reply_round_trips()
    {
        var bytes = GitTorrentMessage.Failure(Hash20.Parse(Sha), "no such commit").Encode();
        Assert.Equal($"d10:gittorrentd5:error14:no such commit3:sha40:{Sha}ee", Encoding.ASCII.GetString(bytes));
        Assert.True(GitTorrentMessage.TryDecode(bytes, out var message, out _));
        Assert.Equal(GitTorrentMessageKind.Error, message.Kind);
        Assert.Equal("no such commit", message.Error);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("de")]
    [InlineData("d10:gittorrenti1ee")]
    [InlineData("d10:gittorrentd3:sha3:abcee")]
    [InlineData("d10:gittorrentd8:infoHash20:aaaaaaaaaaaaaaaaaaaaee")]
    [InlineData("d10:gittorrentdee")]
    public void Malformed_messages_are_rejected_with_a_reason(string payload)
    {
        Assert.False(GitTorrentMessage.TryDecode(Encoding.ASCII.GetBytes(payload), out _, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void Too_many_or_bad_haves_are_dropped()
    {
        var haves = string.Concat(Enumerable.Range(0, 300).Select(i => $"40:{i:x40}")) + "3:bad";
        var payload = $"d10:gittorrentd4:havel{haves}e3:sha40:{Sha}ee";
        Assert.True(GitTorrentMessage.TryDecode(Encoding.ASCII.GetBytes(payload), out var message, out _));
        Assert.Equal(GitTorrentMessage.MaxHaves, message.Haves.Count);
    }

    [Fact]
    public void Request_with_more_wants_round_trips_and_an_original_reader_sees_sha()
    {
        var (want, have) = (Hash20.Parse(Info), Hash20.Parse("89abcdef0123456789abcdef0123456789abcdef"));
        var bytes = GitTorrentMessage.Request(Hash20.Parse(Sha), [have], [want]).Encode();
        Assert.Equal($"d10:gittorrentd4:havel40:{have}e3:sha40:{Sha}4:wantl40:{Info}eee", Encoding.ASCII.GetString(bytes));
        Assert.True(GitTorrentMessage.TryDecode(bytes, out var message, out _));
        Assert.Equal(GitTorrentMessageKind.Request, message.Kind);
        Assert.Equal(Sha, message.Sha.ToString());
        Assert.Equal([want], message.Wants);
        Assert.Equal([have], message.Haves);
        Assert.Throws<ArgumentException>(() => GitTorrentMessage.Request(Hash20.Parse(Sha), [],
            [.. Enumerable.Range(0, GitTorrentMessage.MaxWants + 1).Select(_ => Hash20.Random())]));
    }

    [Fact]
    public void Too_many_or_bad_wants_are_dropped()
    {
        var wants = "3:bad" + string.Concat(Enumerable.Range(0, 1100).Select(i => $"40:{i:x40}")) + "i7e";
        var payload = $"d10:gittorrentd3:sha40:{Sha}4:wantl{wants}eee";
        Assert.True(GitTorrentMessage.TryDecode(Encoding.ASCII.GetBytes(payload), out var message, out _));
        Assert.Equal(GitTorrentMessage.MaxWants, message.Wants.Count);
        Assert.Equal($"{0:x40}", message.Wants[0].ToString());

        Assert.True(GitTorrentMessage.TryDecode(Encoding.ASCII.GetBytes($"d10:gittorrentd3:sha40:{Sha}4:wanti3eee"), out var notAList, out _));
        Assert.Empty(notAList.Wants);
    }
}
