using GitTorrent.Engine;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// The last table <c>gittorrent issue list</c> printed, for one commit, in <c>&lt;git dir&gt;/gittorrent/issues.list</c>:
/// each issue's state and table line, and the unreadable files. What a commit lists never changes, so when the ref
/// still names that commit the table is printed from here without starting git. Anything wrong with the file means
/// it is ignored.
/// </summary>
internal static class IssueListingFile
{
    private const int Magic = 0x4C495447; // "GTIL"
    private const int Version = 1;
    private const long MaxFileBytes = 256L * 1024 * 1024;

    public sealed record Saved(IReadOnlyList<(IssueState State, string Line)> Issues, IReadOnlyList<UnreadableIssueFile> Unreadable, bool Truncated);

    public static Saved? TryRead(string gitDirectory, Hash20 commit, int maxEntries)
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
            if (reader.ReadInt32() != Magic || reader.ReadInt32() != Version || new Hash20(reader.ReadBytes(Hash20.Length)) != commit)
            {
                return null;
            }
            var count = reader.ReadInt32();
            if (count < 0 || count > maxEntries)
            {
                return null;
            }
            var issues = new (IssueState, string)[count];
            for (var i = 0; i < count; i++)
            {
                var state = (IssueState)reader.ReadByte();
                issues[i] = (Enum.IsDefined(state) ? state : throw new FormatException("bad state"), reader.ReadString());
            }
            var problems = reader.ReadInt32();
            if (problems < 0 || problems > maxEntries)
            {
                return null;
            }
            var unreadable = new UnreadableIssueFile[problems];
            for (var i = 0; i < problems; i++)
            {
                unreadable[i] = new UnreadableIssueFile(reader.ReadString(), reader.ReadString());
            }
            return new Saved(issues, unreadable, reader.ReadBoolean());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <param name="lines">Each issue's state and table line, in the listing's order (<see cref="IssueOutput.TableLine"/>).</param>
    public static void Write(string gitDirectory, Hash20 commit, IReadOnlyList<(IssueState State, string Line)> lines, IssueListing listing)
    {
        try
        {
            var path = PathIn(gitDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Environment.ProcessId + ".tmp";
            using (var writer = new BinaryWriter(new BufferedStream(File.Create(temp), 64 * 1024)))
            {
                writer.Write(Magic);
                writer.Write(Version);
                writer.Write(commit.ToArray());
                writer.Write(lines.Count);
                foreach (var (state, line) in lines)
                {
                    writer.Write((byte)state);
                    writer.Write(line);
                }
                writer.Write(listing.Unreadable.Count);
                foreach (var file in listing.Unreadable)
                {
                    writer.Write(file.Path);
                    writer.Write(file.Reason);
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

    private static string PathIn(string gitDirectory) => Path.Combine(gitDirectory, "gittorrent", "issues.list");
}
