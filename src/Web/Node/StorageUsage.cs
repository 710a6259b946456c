using System.IO.Enumeration;
using GitTorrent.Indexer.Node;
using GitTorrent.Web.Git;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Node;

/// <summary>
/// Disk use measured from the folders themselves (<c>repos/</c>, and the node's <c>packs/</c>, <c>downloads/</c> and
/// <c>profiles/</c>), so what is shown and what quotas count is what is really there.
/// </summary>
public sealed class StorageUsage(RepositoryStore store, IOptions<NodeHostOptions> node)
{
    /// <summary>The users shown on <c>/admin</c> (the largest first).</summary>
    public const int MaxUsersShown = 50;

    /// <summary>Bytes under <c>repos/&lt;userId&gt;/</c>, including repositories still arriving.</summary>
    public long UserBytes(string userId) => Engine.Hash20.IsLowerHex40(userId) ? FolderBytes(Path.Combine(store.Root, userId)) : 0;

    public StorageTotals Totals()
    {
        var users = Directory.Exists(store.Root)
            ? Directory.EnumerateDirectories(store.Root).Select(d => (UserId: Path.GetFileName(d), Bytes: FolderBytes(d))).ToList()
            : [];
        var state = node.Value.StateDirectory ?? "";
        return new StorageTotals(
            users.Sum(u => u.Bytes),
            FolderBytes(Path.Combine(state, "packs")),
            FolderBytes(Path.Combine(state, "downloads")),
            FolderBytes(Path.Combine(state, "profiles")),
            [.. users.OrderByDescending(u => u.Bytes).Take(MaxUsersShown)]);
    }

    /// <summary>
    /// The sum of the file sizes below <paramref name="folder"/> (links not followed; 0 when it does not exist). git and
    /// downloads create and remove files while this walks (a mirror sync's temporary objects): a file or folder that
    /// vanishes mid-walk counts as 0 bytes instead of failing the page that asked.
    /// </summary>
    public static long FolderBytes(string folder)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
        };
        try
        {
            // The entry's own status (taken while walking), not a FileInfo that stats the path again when asked.
            var sizes = new FileSystemEnumerable<long>(folder, (ref FileSystemEntry entry) => entry.Length, options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
            };
            return sizes.Sum();
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
    }
}
