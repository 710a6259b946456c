using System.Net;
using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Torrents;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// A magnet link (BEP 9) as text: <see cref="MagnetLink.TryParse"/>. Bad input is a false TryParse. A parsed link must
/// print (<see cref="MagnetLink.ToString"/>) to a link that parses to the same infohash, name, trackers, web seeds and peers.
/// </summary>
public static class MagnetTarget
{
    public static void Run(byte[] input)
    {
        if (!MagnetLink.TryParse(Encoding.UTF8.GetString(input), out var link))
        {
            return;
        }
        FuzzInvariantException.Check(MagnetLink.TryParse(link.ToString(), out var again), "a printed magnet link does not parse");
        FuzzInvariantException.Check(again.InfoHash == link.InfoHash && again.DisplayName == link.DisplayName
            && again.Trackers.SequenceEqual(link.Trackers) && again.WebSeeds.SequenceEqual(link.WebSeeds)
            && again.Peers.SequenceEqual(link.Peers), "a printed magnet link parses to another link");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var link = new MagnetLink(Hash20.Sha1("pack"u8), "pack 1+1.pack", ["udp://127.0.0.1:6969/announce"], ["http://127.0.0.1/seed"],
            [IPEndPoint.Parse("127.0.0.2:6881"), IPEndPoint.Parse("[::1]:6882")]);
        yield return Encoding.UTF8.GetBytes(link.ToString());
        yield return "magnet:?xt=urn:btih:MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&dn=x"u8.ToArray();
    }
}
