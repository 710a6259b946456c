using System.Buffers;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// Bytes cut into a chain of segments of one size, as a socket delivers them in pieces: decoders that read across
/// segment borders see every border the fuzzer chooses.
/// </summary>
public sealed class ChunkedSequence : ReadOnlySequenceSegment<byte>
{
    private ChunkedSequence(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Create(ReadOnlyMemory<byte> bytes, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        if (bytes.Length <= chunkSize)
        {
            return new ReadOnlySequence<byte>(bytes);
        }
        var first = new ChunkedSequence(bytes[..chunkSize], 0);
        var last = first;
        for (var at = chunkSize; at < bytes.Length; at += chunkSize)
        {
            var next = new ChunkedSequence(bytes.Slice(at, Math.Min(chunkSize, bytes.Length - at)), at);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
