using GitTorrent.Engine;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// The command line's <see cref="IIssueSummaryCache"/>: summaries of issue folders by (name, tree id), kept in
/// <c>&lt;git dir&gt;/gittorrent/issues.cache</c> between runs, so <c>gittorrent issue list</c> reads only the
/// <c>.issues</c> tree and the folders that changed. The file is a private cache: anything wrong with it (another
/// version, truncated, oversized) means it is ignored and written again.
/// </summary>
internal sealed class IssueSummaryFile : IIssueSummaryCache
{
    private const int Magic = 0x43495447; // "GTIC"
    private const int Version = 1;
    private const long MaxFileBytes = 256L * 1024 * 1024;

    private readonly string _path;
    private readonly int _maxEntries;
    private readonly Dictionary<(string, Hash20), IssueFolderSummary> _loaded = [];
    private readonly Dictionary<(string, Hash20), IssueFolderSummary> _used = [];
    private bool _changed;

    private IssueSummaryFile(string path, int maxEntries)
    {
        _path = path;
        _maxEntries = maxEntries;
    }

    public static IssueSummaryFile Open(string gitDirectory, int maxEntries)
    {
        var cache = new IssueSummaryFile(Path.Combine(gitDirectory, "gittorrent", "issues.cache"), maxEntries);
        cache.Load();
        return cache;
    }

    public bool TryGet(string id, Hash20 tree, out IssueFolderSummary summary)
    {
        if (_loaded.TryGetValue((id, tree), out summary!))
        {
            _used[(id, tree)] = summary;
            return true;
        }
        return false;
    }

    public void Set(string id, Hash20 tree, IssueFolderSummary summary)
    {
        _used[(id, tree)] = summary;
        _changed = true;
    }

    /// <summary>
    /// Writes the entries used by this run, then those it loaded and did not use (folders of other trees: another
    /// branch), up to the entry bound; nothing when no entry was new.
    /// </summary>
    public void Save()
    {
        if (!_changed)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + "." + Environment.ProcessId + ".tmp";
            using (var stream = new BufferedStream(File.Create(temp), 64 * 1024))
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(Magic);
                writer.Write(Version);
                var kept = new List<KeyValuePair<(string, Hash20), IssueFolderSummary>>(Math.Min(_used.Count + _loaded.Count, _maxEntries));
                kept.AddRange(_used.Take(_maxEntries));
                kept.AddRange(_loaded.Where(e => !_used.ContainsKey(e.Key)).Take(_maxEntries - kept.Count));
                writer.Write(kept.Count);
                foreach (var ((id, tree), summary) in kept)
                {
                    Write(writer, id, tree, summary);
                }
            }
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs time on the next run.
        }
    }

    private void Load()
    {
        try
        {
            var info = new FileInfo(_path);
            if (!info.Exists || info.Length > MaxFileBytes)
            {
                return;
            }
            using var reader = new BinaryReader(new BufferedStream(File.OpenRead(_path), 64 * 1024));
            if (reader.ReadInt32() != Magic || reader.ReadInt32() != Version)
            {
                return;
            }
            var count = reader.ReadInt32();
            if (count < 0 || count > _maxEntries)
            {
                return;
            }
            for (var i = 0; i < count; i++)
            {
                var (id, tree, summary) = Read(reader);
                _loaded[(id, tree)] = summary;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            _loaded.Clear();
        }
    }

    private static void Write(BinaryWriter writer, string id, Hash20 tree, IssueFolderSummary summary)
    {
        writer.Write(id);
        CacheFileHash.Write(writer, tree);
        if (summary.Issue is { } issue)
        {
            writer.Write((byte)0);
            writer.Write(issue.Title);
            CacheFileHash.Write(writer, issue.Author);
            writer.Write(issue.Created.UtcTicks);
            writer.Write((byte)issue.State);
            writer.Write(issue.Labels.Count);
            foreach (var label in issue.Labels)
            {
                writer.Write(label);
            }
            writer.Write(issue.CommentCount);
        }
        else
        {
            writer.Write((byte)1);
            writer.Write(summary.Unreadable!.Path);
            writer.Write(summary.Unreadable.Reason);
        }
    }

    private static (string Id, Hash20 Tree, IssueFolderSummary Summary) Read(BinaryReader reader)
    {
        var id = reader.ReadString();
        var tree = CacheFileHash.Read(reader);
        if (!IssueId.IsValid(id))
        {
            throw new FormatException("bad id");
        }
        switch (reader.ReadByte())
        {
            case 0:
                var title = reader.ReadString();
                var author = CacheFileHash.Read(reader);
                var created = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
                var state = (IssueState)reader.ReadByte();
                var labelCount = reader.ReadInt32();
                if (labelCount is < 0 or > 1000 || !Enum.IsDefined(state))
                {
                    throw new FormatException("bad entry");
                }
                var labels = new string[labelCount];
                for (var i = 0; i < labelCount; i++)
                {
                    labels[i] = reader.ReadString();
                }
                var comments = reader.ReadInt32();
                return (id, tree, new IssueFolderSummary(new IssueSummary(id, title, author, created, state, labels, comments), null));
            case 1:
                return (id, tree, new IssueFolderSummary(null, new UnreadableIssueFile(reader.ReadString(), reader.ReadString())));
            default:
                throw new FormatException("bad entry kind");
        }
    }
}
