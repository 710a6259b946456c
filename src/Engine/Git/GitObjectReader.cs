using System.IO.Compression;
using System.Text;

namespace GitTorrent.Engine.Git;

/// <summary>
/// Reads objects of a repository in-process, from loose objects and packs (version 2 indexes, offset and reference
/// deltas) of its object directory and its alternates. For reading many small objects fast where starting
/// <c>git cat-file</c> or walking a large tree through LibGit2Sharp costs more than the work itself (issue listings).
/// Bounded: object size (per call), delta chain length, intermediate delta bases, alternates depth. A damaged or
/// hostile object is reported missing (null), never thrown; packs that appear or vanish (fetch, gc) are picked up.
/// </summary>
public sealed class GitObjectReader : IDisposable
{
    /// <summary>Longest delta chain followed (git packs at most 4095 deep by default; 50 unless asked).</summary>
    public const int MaxDeltaChain = 10_000;

    /// <summary>Largest object a delta chain may pass through on its way to the one asked for.</summary>
    public const long MaxIntermediateBytes = 64L * 1024 * 1024;

    private const int MaxAlternateDepth = 5;
    private const long MaxIndexBytes = 1L << 31;
    private const long MaxBaseCacheBytes = 16L * 1024 * 1024;

    private readonly IReadOnlyList<string> _objectDirectories;
    private readonly Lock _gate = new();
    private readonly Dictionary<(GitPackIndex, long), byte[]> _bases = [];
    private readonly Queue<(GitPackIndex, long)> _baseOrder = new();
    private long _baseBytes;
    private List<GitPackIndex> _packs = [];
    private string _packsStamp = "";

    private GitObjectReader(IReadOnlyList<string> objectDirectories)
    {
        _objectDirectories = objectDirectories;
        RescanPacks();
    }

    /// <summary>A reader of the git directory's objects (the common directory's, for a linked worktree).</summary>
    public static GitObjectReader Open(string gitDirectory)
    {
        var commonFile = Path.Combine(gitDirectory, "commondir");
        var common = File.Exists(commonFile) ? Path.GetFullPath(File.ReadAllText(commonFile).Trim(), gitDirectory) : gitDirectory;
        var directories = new List<string>();
        AddWithAlternates(Path.Combine(common, "objects"), directories, 0);
        return new GitObjectReader(directories);
    }

    /// <summary>The object, or null when it is missing or cannot be read; content is null when larger than <paramref name="maxBytes"/>.</summary>
    public GitObject? Read(Hash20 id, long maxBytes)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                lock (_gate)
                {
                    if (ReadLoose(id, maxBytes) is { } loose)
                    {
                        return loose;
                    }
                    foreach (var pack in _packs)
                    {
                        var offset = pack.Find(id);
                        if (offset >= 0)
                        {
                            return ReadPacked(pack, offset, maxBytes);
                        }
                    }
                    if (attempt == 0 && !RescanPacks())
                    {
                        return null;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                lock (_gate)
                {
                    if (attempt == 0 && RescanPacks())
                    {
                        continue;
                    }
                }
                return null;
            }
        }
        return null;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var pack in _packs)
            {
                pack.Dispose();
            }
            _packs = [];
        }
    }

    private static void AddWithAlternates(string objects, List<string> directories, int depth)
    {
        if (depth > MaxAlternateDepth || directories.Contains(objects) || !Directory.Exists(objects))
        {
            return;
        }
        directories.Add(objects);
        var alternates = Path.Combine(objects, "info", "alternates");
        if (!File.Exists(alternates))
        {
            return;
        }
        foreach (var line in File.ReadLines(alternates).Take(100))
        {
            if (line.Length > 0 && line[0] != '#')
            {
                AddWithAlternates(Path.GetFullPath(line.Trim(), objects), directories, depth + 1);
            }
        }
    }

    /// <summary>Opens the packs again when the set of index files changed; false when nothing changed.</summary>
    private bool RescanPacks()
    {
        var indexes = _objectDirectories
            .Select(d => Path.Combine(d, "pack"))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "pack-*.idx"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var stamp = string.Join('\n', indexes);
        if (stamp == _packsStamp)
        {
            return false;
        }
        foreach (var pack in _packs)
        {
            pack.Dispose();
        }
        _bases.Clear();
        _baseOrder.Clear();
        _baseBytes = 0;
        _packs = [.. indexes.Select(i => GitPackIndex.TryOpen(i, MaxIndexBytes)).OfType<GitPackIndex>()];
        _packsStamp = stamp;
        return true;
    }

    private GitObject? ReadLoose(Hash20 id, long maxBytes)
    {
        var hex = id.ToString();
        foreach (var directory in _objectDirectories)
        {
            var path = Path.Combine(directory, hex[..2], hex[2..]);
            if (!File.Exists(path))
            {
                continue;
            }
            using var file = File.OpenRead(path);
            using var inflated = new ZLibStream(file, CompressionMode.Decompress);
            // "<type> <size>\0" then the content.
            var header = new StringBuilder();
            int b;
            while ((b = inflated.ReadByte()) > 0 && header.Length < 32)
            {
                header.Append((char)b);
            }
            var parts = header.ToString().Split(' ');
            if (b != 0 || parts.Length != 2 || !long.TryParse(parts[1], out var size) || size < 0 || TypeOf(parts[0]) is not { } type)
            {
                return null;
            }
            if (size > maxBytes)
            {
                return new GitObject(type, size, null);
            }
            var content = new byte[size];
            inflated.ReadExactly(content);
            return new GitObject(type, size, content);
        }
        return null;
    }

    private GitObject? ReadPacked(GitPackIndex pack, long offset, long maxBytes)
    {
        // Follow the chain down to a whole object, then apply the deltas from the bottom up.
        var deltas = new Stack<(GitPackIndex Pack, long Offset, long DataOffset, long Size)>();
        byte[] content;
        GitObjectType type;
        while (true)
        {
            if (deltas.Count > MaxDeltaChain)
            {
                return null;
            }
            var (kind, size, dataOffset, baseOffset, baseId) = ReadEntryHeader(pack, offset);
            if (kind is >= 1 and <= 4)
            {
                type = (GitObjectType)kind;
                if (deltas.Count == 0 && size > maxBytes)
                {
                    return new GitObject(type, size, null);
                }
                if (size > MaxIntermediateBytes)
                {
                    return null;
                }
                content = Inflate(pack, dataOffset, size);
                break;
            }
            if (size > MaxIntermediateBytes)
            {
                return null;
            }
            deltas.Push((pack, offset, dataOffset, size));
            if (_bases.TryGetValue((pack, offset), out var cachedBase))
            {
                // The base of this delta was built before (objects of one chain share their bottom).
                content = cachedBase;
                type = _baseTypes[(pack, offset)];
                break;
            }
            if (kind == 6)
            {
                offset = baseOffset;
            }
            else if (kind == 7 && FindPacked(baseId) is { } located)
            {
                (pack, offset) = located;
            }
            else
            {
                return null; // a base in no pack (thin pack) or an unknown kind
            }
        }
        while (deltas.Count > 0)
        {
            var (deltaPack, deltaOffset, dataOffset, size) = deltas.Pop();
            var delta = Inflate(deltaPack, dataOffset, size);
            var resultSize = ResultSize(delta);
            if (deltas.Count == 0 && resultSize > maxBytes)
            {
                return new GitObject(type, resultSize, null);
            }
            if (resultSize > MaxIntermediateBytes)
            {
                return null;
            }
            Remember(deltaPack, deltaOffset, content, type); // objects of one chain share their lower levels
            content = Apply(content, delta, resultSize);
        }
        return new GitObject(type, content.Length, content);
    }

    private (GitPackIndex, long)? FindPacked(Hash20 id)
    {
        foreach (var pack in _packs)
        {
            var offset = pack.Find(id);
            if (offset >= 0)
            {
                return (pack, offset);
            }
        }
        return null;
    }

    private readonly Dictionary<(GitPackIndex, long), GitObjectType> _baseTypes = [];

    private void Remember(GitPackIndex pack, long deltaOffset, byte[] content, GitObjectType type)
    {
        // Keyed by the offset of the delta whose base it is, looked up when that delta is met again.
        var key = (pack, deltaOffset);
        if (content.Length > MaxBaseCacheBytes / 4 || _bases.ContainsKey(key))
        {
            return;
        }
        _bases[key] = content;
        _baseTypes[key] = type;
        _baseOrder.Enqueue(key);
        _baseBytes += content.Length;
        while (_baseBytes > MaxBaseCacheBytes && _baseOrder.TryDequeue(out var old))
        {
            _baseBytes -= _bases[old].Length;
            _bases.Remove(old);
            _baseTypes.Remove(old);
        }
    }

    /// <summary>Type (1-4 whole, 6 offset delta, 7 reference delta), size, where the zlib data starts, and the base.</summary>
    private static (int Kind, long Size, long DataOffset, long BaseOffset, Hash20 BaseId) ReadEntryHeader(GitPackIndex pack, long offset)
    {
        var header = new byte[32];
        var read = RandomAccess.Read(pack.Pack, header, offset);
        var position = 0;
        int Next() => position < read ? header[position++] : throw new InvalidDataException("truncated pack entry");
        var c = Next();
        var kind = (c >> 4) & 7;
        long size = c & 15;
        var shift = 4;
        while ((c & 0x80) != 0)
        {
            c = Next();
            if (shift > 56)
            {
                throw new InvalidDataException("pack entry size too long");
            }
            size |= (long)(c & 0x7f) << shift;
            shift += 7;
        }
        long baseOffset = 0;
        var baseId = Hash20.Zero;
        if (kind == 6)
        {
            c = Next();
            long back = c & 0x7f;
            while ((c & 0x80) != 0)
            {
                c = Next();
                if (back > (long.MaxValue >> 8))
                {
                    throw new InvalidDataException("delta base offset too long");
                }
                back = ((back + 1) << 7) | (long)(c & 0x7f);
            }
            baseOffset = offset - back;
            if (back <= 0 || baseOffset < 0)
            {
                throw new InvalidDataException("delta base outside the pack");
            }
        }
        else if (kind == 7)
        {
            if (position + Hash20.Length > read)
            {
                throw new InvalidDataException("truncated reference delta");
            }
            baseId = new Hash20(header.AsSpan(position, Hash20.Length));
            position += Hash20.Length;
        }
        return (kind, size, offset + position, baseOffset, baseId);
    }

    private static byte[] Inflate(GitPackIndex pack, long dataOffset, long size)
    {
        var result = new byte[size];
        using var source = new PackStream(pack, dataOffset);
        using var inflated = new ZLibStream(source, CompressionMode.Decompress);
        inflated.ReadExactly(result);
        return result;
    }

    private static long ResultSize(byte[] delta)
    {
        var position = 0;
        _ = ReadSize(delta, ref position); // the base's size
        return ReadSize(delta, ref position);
    }

    /// <summary>Applies a git delta (copy-from-base and insert instructions) to its base.</summary>
    private static byte[] Apply(byte[] source, byte[] delta, long resultSize)
    {
        var position = 0;
        if (ReadSize(delta, ref position) != source.Length)
        {
            throw new InvalidDataException("delta base size does not match");
        }
        _ = ReadSize(delta, ref position);
        var result = new byte[resultSize];
        var written = 0;
        while (position < delta.Length)
        {
            var op = delta[position++];
            if ((op & 0x80) != 0)
            {
                long copyOffset = 0;
                long copySize = 0;
                for (var i = 0; i < 4; i++)
                {
                    if ((op & (1 << i)) != 0)
                    {
                        copyOffset |= (long)Byte(delta, ref position) << (8 * i);
                    }
                }
                for (var i = 0; i < 3; i++)
                {
                    if ((op & (0x10 << i)) != 0)
                    {
                        copySize |= (long)Byte(delta, ref position) << (8 * i);
                    }
                }
                if (copySize == 0)
                {
                    copySize = 0x10000;
                }
                if (copyOffset + copySize > source.Length || written + copySize > result.Length)
                {
                    throw new InvalidDataException("delta copies out of bounds");
                }
                Buffer.BlockCopy(source, (int)copyOffset, result, written, (int)copySize);
                written += (int)copySize;
            }
            else if (op != 0)
            {
                if (position + op > delta.Length || written + op > result.Length)
                {
                    throw new InvalidDataException("delta inserts out of bounds");
                }
                Buffer.BlockCopy(delta, position, result, written, op);
                position += op;
                written += op;
            }
            else
            {
                throw new InvalidDataException("delta opcode 0");
            }
        }
        return written == result.Length ? result : throw new InvalidDataException("delta result size does not match");
    }

    private static long ReadSize(byte[] delta, ref int position)
    {
        long size = 0;
        var shift = 0;
        byte c;
        do
        {
            c = Byte(delta, ref position);
            size |= (long)(c & 0x7f) << shift;
            shift += 7;
        }
        while ((c & 0x80) != 0 && shift < 63);
        return size;
    }

    private static byte Byte(byte[] data, ref int position) =>
        position < data.Length ? data[position++] : throw new InvalidDataException("truncated delta");

    private static GitObjectType? TypeOf(string name) => name switch
    {
        "commit" => GitObjectType.Commit,
        "tree" => GitObjectType.Tree,
        "blob" => GitObjectType.Blob,
        "tag" => GitObjectType.Tag,
        _ => null,
    };

    /// <summary>The pack file from an offset on, read with positional reads (the handle is shared).</summary>
    private sealed class PackStream(GitPackIndex pack, long position) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = RandomAccess.Read(pack.Pack, buffer, position);
            position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
