using GitTorrent.Engine.Bencoding;
using GitTorrent.Fuzz.Targets;

namespace GitTorrent.Fuzz;

/// <summary>
/// Every parser of bytes from the network or the chain, one target each (fuzz/README.md lists them with the commands).
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("bencode-strict", "BencodeReader, strict (BEP 3)", input => BencodeTarget.Run(input, BencodeReadOptions.Strict), BencodeTarget.Seeds),
        new("bencode-lenient", "BencodeReader, lenient (unsorted keys)", input => BencodeTarget.Run(input, BencodeReadOptions.Lenient), BencodeTarget.Seeds),
        new("krpc", "KrpcMessage.TryDecode and the body readers (BEP 5)", KrpcTarget.Run, KrpcTarget.Seeds),
        new("dht-node", "DhtNode handling a datagram: queries and replies (BEP 5, 44)", DhtNodeTarget.Run, KrpcTarget.Seeds),
        new("wire", "FrameDecoder and the payload codecs (BEP 3)", WireTarget.Run, WireTarget.Seeds),
        new("handshake", "Handshake.TryDecode (BEP 3)", HandshakeTarget.Run, HandshakeTarget.Seeds),
        new("ext-handshake", "ExtensionRegistry.ApplyRemoteHandshake (BEP 10)", ExtensionHandshakeTarget.Run, ExtensionHandshakeTarget.Seeds),
        new("ut-gittorrent", "GitTorrentMessage and GitTorrentExtension (PROTOCOL.md 4)", GitTorrentMessageTarget.Run, GitTorrentMessageTarget.Seeds),
        new("ut-metadata", "UtMetadataMessage and UtMetadataExtension (BEP 9)", UtMetadataTarget.Run, UtMetadataTarget.Seeds),
        new("ut-pex", "PexMessage and UtPexExtension (BEP 11)", PexTarget.Run, PexTarget.Seeds),
        new("metainfo", "TorrentMetainfo.Parse and FromInfoBytes (BEP 3)", MetainfoTarget.Run, MetainfoTarget.Seeds),
        new("magnet", "MagnetLink.TryParse (BEP 9)", MagnetTarget.Run, MagnetTarget.Seeds),
        new("profile", "a BEP 44 item's v to UserProfile.TryParse (PROTOCOL.md 3)", ProfileTarget.RunItem, ProfileTarget.ItemSeeds),
        new("manifest", "a profile.json manifest to UserProfile.TryParse (PROTOCOL.md 3)", ProfileTarget.RunDocument, ProfileTarget.DocumentSeeds),
        new("opreturn", "OpReturnExtractor and NamePayload (PROTOCOL.md 5)", OpReturnTarget.Run, OpReturnTarget.Seeds),
        new("issue", "IssueFormat.TryParseIssue and TryParseComment (PROTOCOL.md 6)", IssueTarget.Run, IssueTarget.Seeds),
        new("remote-helper", "RemoteHelperProtocol (gitremote-helpers(7))", RemoteHelperTarget.Run, RemoteHelperTarget.Seeds),
    ];

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; the targets are: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));
}
