using System.Buffers.Binary;

namespace GitTorrent.Engine.Git;

/// <summary>
/// One pack and its index (<c>pack-*.idx</c> version 2: fan-out, sorted object ids, CRCs, 31-bit offsets with a table of
/// 64-bit ones). The index is read whole; the pack is read at offsets.
/// </summary>
internal sealed class GitPackIndex : IDisposable
{
    private const int FanoutOffset = 8;
    private readonly byte[] _index;
    private readonly int _count;

    private GitPackIndex(string packPath, byte[] index, int count)
    {
        PackPath = packPath;
        _index = index;
        _count = count;
        Pack = File.OpenHandle(packPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    public string PackPath { get; }

    public Microsoft.Win32.SafeHandles.SafeFileHandle Pack { get; }

    public long PackLength => RandomAccess.GetLength(Pack);

    /// <summary>The index beside <paramref name="idxPath"/>'s pack, or null when it is not a version 2 index or the pack is missing.</summary>
    public static GitPackIndex? TryOpen(string idxPath, long maxIndexBytes)
    {
        var packPath = Path.ChangeExtension(idxPath, ".pack");
        var info = new FileInfo(idxPath);
        if (!info.Exists || info.Length > maxIndexBytes || info.Length < FanoutOffset + (256 * 4) + 40 || !File.Exists(packPath))
        {
            return null;
        }
        var index = File.ReadAllBytes(idxPath);
        // "\377tOc" then version 2.
        if (BinaryPrimitives.ReadUInt32BigEndian(index) != 0xff744f63 || BinaryPrimitives.ReadUInt32BigEndian(index.AsSpan(4)) != 2)
        {
            return null;
        }
        var count = BinaryPrimitives.ReadUInt32BigEndian(index.AsSpan(FanoutOffset + (255 * 4)));
        if (count > (index.Length - FanoutOffset - 1024) / 28)
        {
            return null;
        }
        return new GitPackIndex(packPath, index, (int)count);
    }

    /// <summary>The offset of <paramref name="id"/> in the pack, or -1.</summary>
    public long Find(Hash20 id)
    {
        Span<byte> key = stackalloc byte[Hash20.Length];
        id.CopyTo(key);
        var fanout = _index.AsSpan(FanoutOffset, 256 * 4);
        var low = key[0] == 0 ? 0 : (int)BinaryPrimitives.ReadUInt32BigEndian(fanout[((key[0] - 1) * 4)..]);
        var high = (int)BinaryPrimitives.ReadUInt32BigEndian(fanout[(key[0] * 4)..]);
        var ids = _index.AsSpan(FanoutOffset + 1024, _count * Hash20.Length);
        while (low < high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            var compare = ids.Slice(middle * Hash20.Length, Hash20.Length).SequenceCompareTo(key);
            if (compare == 0)
            {
                return Offset(middle);
            }
            if (compare < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return -1;
    }

    private long Offset(int position)
    {
        var offsets = FanoutOffset + 1024 + (_count * (Hash20.Length + 4));
        var offset = BinaryPrimitives.ReadUInt32BigEndian(_index.AsSpan(offsets + (position * 4)));
        if ((offset & 0x80000000) == 0)
        {
            return offset;
        }
        var large = offsets + (_count * 4) + ((int)(offset & 0x7fffffff) * 8);
        return large + 8 <= _index.Length ? (long)BinaryPrimitives.ReadUInt64BigEndian(_index.AsSpan(large)) : -1;
    }

    public void Dispose() => Pack.Dispose();
}
