using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// What a node keeps across restarts, as a bencoded file: its id, the external address it learned
/// (BEP 42) and the nodes of its routing table in compact form ("nodes", "nodes6").
/// </summary>
public sealed record DhtStateFile(Hash20 Id, IPAddress? ExternalAddress, IReadOnlyList<DhtContact> Nodes)
{
    public const string FileName = "dht-state.bencode";

    /// <summary>Largest state file read; 160 buckets of 8 IPv6 nodes are well below it.</summary>
    private const int MaxFileLength = 1 << 20;

    public byte[] Encode()
    {
        var dict = new BDictionary
        {
            ["id"] = Id.ToArray(),
            ["nodes"] = CompactEncoding.EncodeNodes(Nodes, AddressFamily.InterNetwork),
            ["nodes6"] = CompactEncoding.EncodeNodes(Nodes, AddressFamily.InterNetworkV6),
        };
        if (ExternalAddress is not null)
        {
            dict["ip"] = ExternalAddress.GetAddressBytes();
        }
        return dict.Encode();
    }

    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out DhtStateFile state)
    {
        state = null!;
        if (!BencodeReader.TryDecode(bytes, out var value, out _) || value is not BDictionary dict
            || dict.Get<BString>("id") is not { Length: Hash20.Length } id)
        {
            return false;
        }
        var nodes = new List<DhtContact>();
        if (dict.Get<BString>("nodes") is { } v4)
        {
            CompactEncoding.TryDecodeNodes(v4.Span, AddressFamily.InterNetwork, nodes);
        }
        if (dict.Get<BString>("nodes6") is { } v6)
        {
            CompactEncoding.TryDecodeNodes(v6.Span, AddressFamily.InterNetworkV6, nodes);
        }
        IPAddress? ip = dict.Get<BString>("ip") is { Length: 4 or 16 } a ? new IPAddress(a.Span) : null;
        state = new DhtStateFile(new Hash20(id.Span), ip, nodes);
        return true;
    }

    public static DhtStateFile? Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > MaxFileLength)
        {
            return null;
        }
        return TryDecode(File.ReadAllBytes(path), out var state) ? state : null;
    }

    /// <summary>Writes to a temporary file and renames it, so a crash never leaves half a file.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, Encode());
        File.Move(temp, path, overwrite: true);
    }
}
