using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Torrents;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// A .torrent file (<see cref="TorrentMetainfo.Parse"/>) and, the same bytes, a bare info dictionary as ut_metadata
/// delivers it (<see cref="TorrentMetainfo.FromInfoBytes"/>). Bad input is <see cref="GitTorrentException"/>. An accepted
/// torrent must write out (<see cref="TorrentMetainfo.ToBytes"/>) to a file that parses to the same torrent, have pieces
/// that add up to its length, and give a magnet link that parses back to its infohash and name.
/// </summary>
public static class MetainfoTarget
{
    public static void Run(byte[] input)
    {
        TorrentMetainfo? parsed = null;
        try
        {
            parsed = TorrentMetainfo.Parse(input);
        }
        catch (GitTorrentException)
        {
        }
        if (parsed is not null)
        {
            Check(parsed);
            var again = TorrentMetainfo.Parse(parsed.ToBytes());
            FuzzInvariantException.Check(again.InfoHash == parsed.InfoHash && again.Name == parsed.Name && again.Length == parsed.Length
                && again.PieceLength == parsed.PieceLength && again.Announce == parsed.Announce && again.UrlList.SequenceEqual(parsed.UrlList)
                && again.IsPrivate == parsed.IsPrivate, "a torrent does not write out to itself");
        }
        try
        {
            Check(TorrentMetainfo.FromInfoBytes(input));
        }
        catch (GitTorrentException)
        {
        }
    }

    private static void Check(TorrentMetainfo torrent)
    {
        FuzzInvariantException.Check(torrent.InfoHash == Hash20.Sha1(torrent.InfoBytes.Span), "the infohash is not the SHA-1 of the info bytes");
        FuzzInvariantException.Check(torrent.PieceCount > 0 && (long)torrent.PieceLength * (torrent.PieceCount - 1) < torrent.Length
            && torrent.GetPieceSize(torrent.PieceCount - 1) is > 0 and var last && last <= torrent.PieceLength,
            "the pieces do not add up to the length");
        FuzzInvariantException.Check(torrent.Name.Length > 0 && torrent.Name.IndexOfAny(['/', '\\', '\0']) < 0 && torrent.Name is not ("." or ".."),
            "an unsafe file name was accepted");
        var link = torrent.ToMagnetLink();
        FuzzInvariantException.Check(MagnetLink.TryParse(link.ToString(), out var parsed) && parsed.InfoHash == torrent.InfoHash
            && parsed.DisplayName == torrent.Name, "the magnet link does not parse back");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var content = new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 40_000)));
        var torrent = TorrentMetainfo.CreateAsync(content, "pack-0123.pack", ["http://127.0.0.1:8080/seed"], "http://127.0.0.1:6969/announce",
            TorrentMetainfo.MinPieceLength).GetAwaiter().GetResult();
        yield return torrent.ToBytes();
        yield return torrent.InfoBytes.ToArray();
    }
}
