using System.Net;
using System.Text;

namespace GitTorrent.Engine.Torrents;

/// <summary>
/// A BitTorrent magnet URI (BEP 9): <c>magnet:?xt=urn:btih:&lt;40 hex or 32 base32&gt;&amp;dn=..&amp;tr=..&amp;ws=..&amp;x.pe=host:port</c>.
/// </summary>
public sealed record MagnetLink(Hash20 InfoHash, string? DisplayName, IReadOnlyList<string> Trackers,
    IReadOnlyList<string> WebSeeds, IReadOnlyList<IPEndPoint> Peers)
{
    private const string Prefix = "magnet:?";
    private const string BtihPrefix = "urn:btih:";

    public static bool TryParse(string? uri, out MagnetLink link)
    {
        link = null!;
        if (uri is null || !uri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        Hash20? infoHash = null;
        string? name = null;
        var trackers = new List<string>();
        var webSeeds = new List<string>();
        var peers = new List<IPEndPoint>();
        foreach (var part in uri[Prefix.Length..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            var key = part[..eq];
            var value = Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
            switch (key)
            {
                case "xt" when value.StartsWith(BtihPrefix, StringComparison.OrdinalIgnoreCase):
                    var text = value[BtihPrefix.Length..];
                    if (Hash20.TryParse(text, out var hex))
                    {
                        infoHash = hex;
                    }
                    else if (TryDecodeBase32(text, out var b32))
                    {
                        infoHash = b32;
                    }
                    else
                    {
                        return false;
                    }
                    break;
                case "dn":
                    name = value;
                    break;
                case "tr":
                    trackers.Add(value);
                    break;
                case "ws":
                    webSeeds.Add(value);
                    break;
                case "x.pe" when IPEndPoint.TryParse(value, out var ep) && ep.Port != 0:
                    peers.Add(ep);
                    break;
            }
        }
        if (infoHash is null)
        {
            return false;
        }
        link = new MagnetLink(infoHash.Value, name, trackers, webSeeds, peers);
        return true;
    }

    public static MagnetLink Parse(string uri) =>
        TryParse(uri, out var link) ? link : throw new FormatException("Not a BitTorrent magnet link.");

    public override string ToString()
    {
        var sb = new StringBuilder(Prefix).Append("xt=").Append(BtihPrefix).Append(InfoHash.ToString());
        if (DisplayName is not null)
        {
            sb.Append("&dn=").Append(Uri.EscapeDataString(DisplayName));
        }
        foreach (var tracker in Trackers)
        {
            sb.Append("&tr=").Append(Uri.EscapeDataString(tracker));
        }
        foreach (var ws in WebSeeds)
        {
            sb.Append("&ws=").Append(Uri.EscapeDataString(ws));
        }
        foreach (var peer in Peers)
        {
            sb.Append("&x.pe=").Append(Uri.EscapeDataString(peer.ToString()));
        }
        return sb.ToString();
    }

    private static bool TryDecodeBase32(string text, out Hash20 value)
    {
        value = default;
        if (text.Length != 32)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        int buffer = 0, bits = 0, index = 0;
        foreach (var ch in text.ToUpperInvariant())
        {
            int v = ch switch
            {
                >= 'A' and <= 'Z' => ch - 'A',
                >= '2' and <= '7' => ch - '2' + 26,
                _ => -1,
            };
            if (v < 0)
            {
                return false;
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[index++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        value = new Hash20(bytes);
        return true;
    }
}
