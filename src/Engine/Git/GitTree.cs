using System.Text;

namespace GitTorrent.Engine.Git;

/// <summary>
/// The raw tree object format (as <c>git cat-file --batch</c> prints it): entries of
/// <c>&lt;octal mode&gt; &lt;name&gt;\0&lt;20-byte object id&gt;</c>.
/// </summary>
public static class GitTree
{
    /// <summary>Parses a whole tree; false when the bytes are not a well-formed tree.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out List<GitTreeEntry> entries)
    {
        entries = [];
        while (!data.IsEmpty)
        {
            var space = data.IndexOf((byte)' ');
            if (space is < 1 or > 6 || !TryParseMode(data[..space], out var kind))
            {
                return false;
            }
            data = data[(space + 1)..];
            var nul = data.IndexOf((byte)0);
            if (nul < 1 || data.Length < nul + 1 + Hash20.Length)
            {
                return false;
            }
            var name = Encoding.UTF8.GetString(data[..nul]);
            entries.Add(new GitTreeEntry(name, new Hash20(data.Slice(nul + 1, Hash20.Length)), kind));
            data = data[(nul + 1 + Hash20.Length)..];
        }
        return true;
    }

    private static bool TryParseMode(ReadOnlySpan<byte> mode, out GitTreeEntryKind kind)
    {
        var value = 0;
        foreach (var digit in mode)
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                kind = default;
                return false;
            }
            value = (value * 8) + (digit - '0');
        }
        kind = (value & 0xF000) switch
        {
            0x4000 => GitTreeEntryKind.Tree,
            0xA000 => GitTreeEntryKind.Symlink,
            0xE000 => GitTreeEntryKind.Submodule,
            _ => GitTreeEntryKind.File,
        };
        return true;
    }
}
