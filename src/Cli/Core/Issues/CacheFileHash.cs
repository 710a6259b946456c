using GitTorrent.Engine;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// A 20-byte id in the issue cache files (<see cref="IssueSummaryFile"/>, <see cref="IssueListingFile"/>), written and read
/// without a 20-byte array each: those files hold up to <c>MaxIssues</c> entries with two ids each, read on every list.
/// </summary>
internal static class CacheFileHash
{
    public static void Write(BinaryWriter writer, Hash20 hash)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        hash.CopyTo(bytes);
        writer.Write(bytes);
    }

    /// <summary>Reads one id; <see cref="EndOfStreamException"/> (an <see cref="IOException"/>) for a truncated file.</summary>
    public static Hash20 Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        reader.BaseStream.ReadExactly(bytes);
        return new Hash20(bytes);
    }
}
