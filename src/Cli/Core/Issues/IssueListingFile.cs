using GitTorrent.Engine;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// The last table <c>gittorrent issue list</c> printed, in <c>&lt;git dir&gt;/gittorrent/issues.list</c>: the commit
/// and <c>.issues</c> tree it lists, and each folder's <see cref="ListedFolder"/> in the listing's order. When the ref
/// still names that commit (or a commit with the same <c>.issues</c> tree) the table is printed from here; for another
/// commit only the folders whose tree id changed are read (<see cref="IssueListingBuilder"/>). Anything wrong with the
/// file means it is ignored.
/// </summary>
internal static class IssueListingFile
{
    private const int Magic = 0x4C495447; // "GTIL"
    private const int Version = 2;
    private const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>A listing: the commit and <c>.issues</c> tree it lists (zeros when the commit has none), and its rows.</summary>
    public sealed record Saved(Hash20 Commit, Hash20 IssuesTree, IReadOnlyList<ListedFolder> Folders, bool Truncated);

    /// <summary>The saved listing, whatever commit it lists; null when there is none or it cannot be trusted.</summary>
    public static Saved? TryRead(string gitDirectory, int maxEntries)
    {
        try
        {
            var path = PathIn(gitDirectory);
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileBytes)
            {
                return null;
            }
            using var reader = new BinaryReader(new BufferedStream(File.OpenRead(path), 64 * 1024));
            if (reader.ReadInt32() != Magic || reader.ReadInt32() != Version)
            {
                return null;
            }
            var commit = CacheFileHash.Read(reader);
            var issuesTree = CacheFileHash.Read(reader);
            var count = reader.ReadInt32();
            if (count < 0 || count > maxEntries)
            {
                return null;
            }
            var folders = new ListedFolder[count];
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var tree = CacheFileHash.Read(reader);
                folders[i] = reader.ReadByte() switch
                {
                    0 => ReadIssue(reader, name, tree),
                    1 => new ListedFolder(name, tree, 0, default, null, new UnreadableIssueFile(reader.ReadString(), reader.ReadString())),
                    _ => throw new FormatException("bad row kind"),
                };
            }
            return new Saved(commit, issuesTree, folders, reader.ReadBoolean());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    public static void Write(string gitDirectory, Saved listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        try
        {
            var path = PathIn(gitDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Environment.ProcessId + ".tmp";
            using (var writer = new BinaryWriter(new BufferedStream(File.Create(temp), 64 * 1024)))
            {
                writer.Write(Magic);
                writer.Write(Version);
                CacheFileHash.Write(writer, listing.Commit);
                CacheFileHash.Write(writer, listing.IssuesTree);
                writer.Write(listing.Folders.Count);
                foreach (var folder in listing.Folders)
                {
                    writer.Write(folder.Name);
                    CacheFileHash.Write(writer, folder.Tree);
                    if (folder.Line is { } line)
                    {
                        writer.Write((byte)0);
                        writer.Write(folder.CreatedTicks);
                        writer.Write((byte)folder.State);
                        writer.Write(line);
                    }
                    else
                    {
                        writer.Write((byte)1);
                        writer.Write(folder.Unreadable?.Path ?? "");
                        writer.Write(folder.Unreadable?.Reason ?? "");
                    }
                }
                writer.Write(listing.Truncated);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only costs time on the next run.
        }
    }

    private static ListedFolder ReadIssue(BinaryReader reader, string name, Hash20 tree)
    {
        var created = reader.ReadInt64();
        var state = (IssueState)reader.ReadByte();
        if (!IssueId.IsValid(name) || !Enum.IsDefined(state))
        {
            throw new FormatException("bad row");
        }
        return new ListedFolder(name, tree, created, state, reader.ReadString(), null);
    }

    private static string PathIn(string gitDirectory) => Path.Combine(gitDirectory, "gittorrent", "issues.list");
}
