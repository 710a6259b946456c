using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Torrents;

/// <summary>
/// A single-file v1 torrent (BEP 3) with optional BEP 19 web seeds. <see cref="InfoHash"/> is the SHA-1 of the
/// info dictionary exactly as received (<see cref="InfoBytes"/>), never of a re-encoding.
/// </summary>
public sealed class TorrentMetainfo
{
    /// <summary>Smallest piece length <see cref="ChoosePieceLength"/> picks.</summary>
    public const int MinPieceLength = 16 * 1024;

    /// <summary>Largest piece length <see cref="ChoosePieceLength"/> picks.</summary>
    public const int MaxPieceLength = 4 * 1024 * 1024;

    /// <summary>Largest piece length accepted from others (bounds the per-piece buffers).</summary>
    public const int MaxAcceptedPieceLength = 16 * 1024 * 1024;

    /// <summary>Piece count <see cref="ChoosePieceLength"/> stays at or below when it can.</summary>
    public const int TargetMaxPieces = 2000;

    private TorrentMetainfo(byte[] infoBytes, Hash20 infoHash, string name, long length, int pieceLength,
        byte[] pieceHashes, IReadOnlyList<string> urlList, string? announce)
    {
        InfoBytes = infoBytes;
        InfoHash = infoHash;
        Name = name;
        Length = length;
        PieceLength = pieceLength;
        PieceHashes = pieceHashes;
        UrlList = urlList;
        Announce = announce;
    }

    public Hash20 InfoHash { get; }

    public string Name { get; }

    public long Length { get; }

    public int PieceLength { get; }

    /// <summary>Concatenated 20-byte SHA-1 piece hashes.</summary>
    public ReadOnlyMemory<byte> PieceHashes { get; }

    public int PieceCount => PieceHashes.Length / Hash20.Length;

    /// <summary>BEP 19 web seeds.</summary>
    public IReadOnlyList<string> UrlList { get; }

    /// <summary>Tracker URL, when the torrent has one.</summary>
    public string? Announce { get; }

    /// <summary>BEP 27: <c>private=1</c> in the info dictionary; such torrents get peers from their tracker only (no ut_pex).</summary>
    public bool IsPrivate { get; private init; }

    /// <summary>The bencoded info dictionary (what ut_metadata transfers and the infohash covers).</summary>
    public ReadOnlyMemory<byte> InfoBytes { get; }

    public Hash20 GetPieceHash(int piece) => new(PieceHashes.Span.Slice(piece * Hash20.Length, Hash20.Length));

    public int GetPieceSize(int piece) =>
        piece == PieceCount - 1 ? (int)(Length - ((long)piece * PieceLength)) : PieceLength;

    /// <summary>
    /// Smallest power of two in [16 KiB, 4 MiB] giving at most ~2,000 pieces (so 1,000-2,000 for mid sizes).
    /// </summary>
    public static int ChoosePieceLength(long size)
    {
        var pieceLength = MinPieceLength;
        while (pieceLength < MaxPieceLength && (size + pieceLength - 1) / pieceLength > TargetMaxPieces)
        {
            pieceLength *= 2;
        }
        return pieceLength;
    }

    public static async Task<TorrentMetainfo> CreateAsync(string filePath, string? name = null,
        IReadOnlyList<string>? urlList = null, string? announce = null, int pieceLength = 0,
        CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read,
            bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await CreateAsync(stream, name ?? Path.GetFileName(filePath), urlList, announce, pieceLength,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hashes <paramref name="content"/> to the end and builds the metainfo.</summary>
    public static async Task<TorrentMetainfo> CreateAsync(Stream content, string name,
        IReadOnlyList<string>? urlList = null, string? announce = null, int pieceLength = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (pieceLength == 0)
        {
            pieceLength = ChoosePieceLength(content.CanSeek ? content.Length - content.Position : 0);
        }
        if (pieceLength < MinPieceLength || pieceLength > MaxAcceptedPieceLength)
        {
            throw new ArgumentOutOfRangeException(nameof(pieceLength));
        }
        var hashes = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(pieceLength);
        long total = 0;
        try
        {
            var digest = new byte[Hash20.Length];
            while (true)
            {
                var filled = 0;
                while (filled < pieceLength)
                {
                    var read = await content.ReadAsync(buffer.AsMemory(filled, pieceLength - filled), cancellationToken)
                        .ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }
                    filled += read;
                }
                if (filled == 0)
                {
                    break;
                }
                SHA1.HashData(buffer.AsSpan(0, filled), digest);
                hashes.Write(digest);
                total += filled;
                if (filled < pieceLength)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (total == 0)
        {
            throw new GitTorrentException("Cannot make a torrent of an empty file.");
        }
        var info = new BDictionary
        {
            { "length", total },
            { "name", name },
            { "piece length", pieceLength },
            { "pieces", hashes.ToArray() },
        };
        var root = new BDictionary { { "info", info } };
        if (announce is not null)
        {
            root.Add("announce", announce);
        }
        if (urlList is { Count: > 0 })
        {
            root.Add("url-list", new BList(urlList.Select(u => (BValue)u)));
        }
        return Parse(root.Encode());
    }

    /// <summary>Parses a .torrent file; throws <see cref="GitTorrentException"/> when it is not a usable single-file v1 torrent.</summary>
    public static TorrentMetainfo Parse(ReadOnlyMemory<byte> torrentBytes)
    {
        BDictionary root;
        try
        {
            root = BencodeReader.DecodeDictionary(torrentBytes, BencodeReadOptions.Lenient);
        }
        catch (BencodeException e)
        {
            throw new GitTorrentException($"Not a torrent file: {e.Message}", e);
        }
        var info = root.GetDictionary("info") ?? throw new GitTorrentException("Torrent has no info dictionary.");
        var urls = new List<string>();
        switch (root["url-list"])
        {
            case BString one when one.Length > 0:
                urls.Add(one.Text);
                break;
            case BList many:
                urls.AddRange(many.OfType<BString>().Select(s => s.Text));
                break;
        }
        return FromInfo(info.Raw.ToArray(), urls, root.GetText("announce"));
    }

    /// <summary>Builds the metainfo from a bare info dictionary (what ut_metadata delivers).</summary>
    public static TorrentMetainfo FromInfoBytes(ReadOnlyMemory<byte> infoBytes, IReadOnlyList<string>? urlList = null)
        => FromInfo(infoBytes.ToArray(), urlList ?? [], null);

    private static TorrentMetainfo FromInfo(byte[] infoBytes, IReadOnlyList<string> urlList, string? announce)
    {
        BDictionary info;
        try
        {
            info = BencodeReader.DecodeDictionary(infoBytes, BencodeReadOptions.Lenient);
        }
        catch (BencodeException e)
        {
            throw new GitTorrentException($"Bad info dictionary: {e.Message}", e);
        }
        if (info.ContainsKey("files"))
        {
            throw new GitTorrentException("Multi-file torrents are not supported.");
        }
        var name = info.GetText("name");
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            throw new GitTorrentException("Torrent name is missing or unsafe.");
        }
        var length = info.GetInteger("length") ?? 0;
        var pieceLength = info.GetInteger("piece length") ?? 0;
        var pieces = info.GetString("pieces");
        if (length <= 0 || pieceLength <= 0 || pieceLength > MaxAcceptedPieceLength || pieces is null)
        {
            throw new GitTorrentException("Torrent length, piece length or pieces are missing or out of range.");
        }
        var count = (length + pieceLength - 1) / pieceLength;
        if (count > int.MaxValue / Hash20.Length || pieces.Length != count * Hash20.Length)
        {
            throw new GitTorrentException("Torrent piece hashes do not match its length.");
        }
        return new TorrentMetainfo(infoBytes, Hash20.Sha1(infoBytes), name, length, (int)pieceLength,
            pieces.Bytes.ToArray(), urlList, announce)
        {
            IsPrivate = info.GetInteger("private") == 1,
        };
    }

    /// <summary>The .torrent file: info dictionary as held, plus announce and url-list.</summary>
    public byte[] ToBytes()
    {
        var writer = new BencodeWriter();
        writer.BeginDictionary();
        if (Announce is not null)
        {
            writer.WriteString("announce");
            writer.WriteString(Announce);
        }
        writer.WriteString("info");
        writer.WriteRaw(InfoBytes.Span);
        if (UrlList.Count > 0)
        {
            writer.WriteString("url-list");
            writer.BeginList();
            foreach (var url in UrlList)
            {
                writer.WriteString(Encoding.UTF8.GetBytes(url));
            }
            writer.End();
        }
        writer.End();
        return writer.ToArray();
    }

    public MagnetLink ToMagnetLink() => new(InfoHash, Name, Announce is null ? [] : [Announce], UrlList, []);
}
