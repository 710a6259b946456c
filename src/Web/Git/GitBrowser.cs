using System.Text;
using GitTorrent.Engine.Git;
using GitTorrent.Web.Rendering;
using LibGit2Sharp;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// Reads trees, blobs and commits of the store's bare repositories with LibGit2Sharp. Sizes come from object headers
/// (a listing never loads a blob); only blobs within <see cref="BrowseOptions.MaxRenderBytes"/> are ever loaded into
/// this process, larger ones are streamed by <c>git cat-file</c>. Listings and rendered files are cached by object id
/// (immutable) in <see cref="BrowseCache"/>, sized in bytes.
/// </summary>
public sealed partial class GitBrowser(GitRepositoryPool pool, SyntaxHighlighter highlighter, BrowseCache cache, GitWorkGate gate, IOptions<BrowseOptions> options)
{
    /// <summary>How long a repository's ref list is reused; syncs call <see cref="Invalidate"/> at once.</summary>
    public static readonly TimeSpan RefsCacheTime = TimeSpan.FromSeconds(2);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly BrowseOptions limits = options.Value;

    public BrowseOptions Limits => limits;

    /// <summary>Forgets cached refs of a repository (after a sync or fetch changed them).</summary>
    public void Invalidate(string path)
    {
        cache.Remove(("refs", path));
        cache.Remove(("default", path));
    }

    public IReadOnlyList<GitRefView> Refs(string path) => cache.GetOrCreate<IReadOnlyList<GitRefView>>(
        ("refs", path), () => ReadRefs(path),
        list => BrowseCache.ObjectBytes + list.Sum(r => BrowseCache.ObjectBytes + BrowseCache.StringBytes(r.ShortName) + BrowseCache.StringBytes(r.FullName) + 104),
        RefsCacheTime);

    private List<GitRefView> ReadRefs(string path)
    {
        using var lease = pool.Rent(path);
        var list = new List<GitRefView>();
        foreach (var reference in lease.Repository.Refs)
        {
            var isBranch = reference.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal);
            var isTag = reference.CanonicalName.StartsWith("refs/tags/", StringComparison.Ordinal);
            if ((!isBranch && !isTag) || reference.ResolveToDirectReference()?.Target is not { } target)
            {
                continue;
            }

            Commit? commit;
            try
            {
                commit = target.Peel<Commit>();
            }
            catch (LibGit2SharpException)
            {
                continue; // a tag of a tree or blob
            }

            if (commit is null)
            {
                continue;
            }

            list.Add(new GitRefView(reference.CanonicalName[(isTag ? 10 : 11)..], reference.CanonicalName, commit.Sha, isTag));
        }

        return list;
    }

    /// <summary>The branch HEAD names (short form), or the first branch when HEAD is unborn; null for an empty repository.</summary>
    public string? DefaultBranch(string path)
    {
        if (cache.TryGet(("default", path), out string? cached))
        {
            return cached;
        }

        string? branch;
        using (var lease = pool.Rent(path))
        {
            var head = lease.Repository.Refs.Head;
            branch = head is SymbolicReference { Target: { } target } && target.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal)
                ? target.CanonicalName[11..]
                : null;
        }

        // HEAD unborn or detached: main, then master, then the first branch.
        var branches = Refs(path).Where(r => !r.IsTag).Select(r => r.ShortName).ToList();
        branch ??= branches.Contains("main") ? "main" : branches.Contains("master") ? "master" : branches.Order(StringComparer.Ordinal).FirstOrDefault();
        return cache.Set(("default", path), branch, BrowseCache.ObjectBytes + BrowseCache.StringBytes(branch), RefsCacheTime);
    }

    /// <summary>
    /// Resolves a ref named by URL segments: the longest prefix that is a branch, then a tag, else a full commit id.
    /// </summary>
    public ResolvedRef? Resolve(string path, IReadOnlyList<string> segments) => segments.Count == 0 ? null : cache.GetOrCreate(
        ("resolve", path, string.Join('/', segments)), () => ReadResolve(path, segments),
        resolved => BrowseCache.ObjectBytes * 2 + (resolved is null ? 0 : BrowseCache.StringBytes(resolved.Name) + 104 + resolved.Path.Sum(BrowseCache.StringBytes)),
        RefsCacheTime);

    private ResolvedRef? ReadResolve(string path, IReadOnlyList<string> segments)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        for (var take = segments.Count; take >= 1; take--)
        {
            var name = string.Join('/', segments.Take(take));
            foreach (var prefix in (string[])["refs/heads/", "refs/tags/"])
            {
                if (TryPeel(repository, prefix + name) is { } commitId)
                {
                    return new ResolvedRef(name, commitId, [.. segments.Skip(take)]);
                }
            }
        }

        if (segments[0].Length == 40 && GitTorrent.Engine.Hash20.IsLowerHex40(segments[0])
            && repository.Lookup<Commit>(segments[0]) is { } commit)
        {
            return new ResolvedRef(commit.Sha, commit.Sha, [.. segments.Skip(1)]);
        }

        return null;
    }

    /// <summary>What a path in a commit is: a directory, a file, or nothing (null).</summary>
    public TreeEntryKind? KindOf(string path, string commitId, string filePath)
    {
        if (filePath.Length == 0)
        {
            return TreeEntryKind.Directory;
        }

        return cache.GetOrCreate(("kind", path, commitId, filePath), () =>
            {
                using var lease = pool.Rent(path);
                var entry = lease.Repository.Lookup<Commit>(commitId)?.Tree[filePath];
                return entry is null ? (TreeEntryKind?)null : KindOf(entry);
            },
            _ => BrowseCache.ObjectBytes + BrowseCache.StringBytes(filePath));
    }

    /// <summary>The entries of a directory (directories first), or null when the path is not a directory.</summary>
    public IReadOnlyList<TreeEntryView>? ListTree(string path, string commitId, string directory)
    {
        var key = ("tree", path, commitId, directory);
        if (cache.TryGet(key, out IReadOnlyList<TreeEntryView>? cached))
        {
            return cached;
        }

        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        var commit = repository.Lookup<Commit>(commitId);
        Tree? tree = commit is null ? null : directory.Length == 0 ? commit.Tree : commit.Tree[directory]?.Target as Tree;
        if (tree is null)
        {
            return null;
        }

        var entries = tree
            .Select(e => new TreeEntryView(e.Name, e.Path.Replace('\\', '/'), KindOf(e),
                e.TargetType == TreeEntryTargetType.Blob ? HeaderSize(repository, e.Target.Id) : 0, e.Target.Sha))
            .OrderBy(e => e.Kind == TreeEntryKind.Directory ? 0 : 1)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        return cache.Set<IReadOnlyList<TreeEntryView>>(key, entries,
            BrowseCache.ObjectBytes + entries.Sum(e => BrowseCache.ObjectBytes + BrowseCache.StringBytes(e.Name) + BrowseCache.StringBytes(e.Path) + 104));
    }

    /// <summary>A file at a commit, rendered with line numbers and highlighting unless an image, binary or too large.</summary>
    public BlobView? ReadBlob(string path, string commitId, string filePath)
    {
        // The file at a commit never changes: remember the view for the path too, not only for the blob id.
        var atKey = ("blob-at", path, commitId, filePath);
        if (cache.TryGet(atKey, out BlobView? known))
        {
            return known;
        }

        var view = ReadBlobView(path, commitId, filePath);
        return view is null ? null : cache.Set(atKey, view, BrowseCache.ObjectBytes * 2 + BrowseCache.StringBytes(filePath));
    }

    private BlobView? ReadBlobView(string path, string commitId, string filePath)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        if (repository.Lookup<Commit>(commitId)?.Tree[filePath] is not { TargetType: TreeEntryTargetType.Blob } entry)
        {
            return null;
        }

        var blobId = entry.Target.Id;
        var key = ("blob", blobId.Sha, highlighter.CacheKeyOf(filePath));
        if (cache.TryGet(key, out BlobView? cached))
        {
            return cached! with { Path = filePath };
        }

        var size = HeaderSize(repository, blobId);
        BlobView view;
        if (RawContentTypes.IsImage(filePath) && size <= limits.MaxInlineImageBytes)
        {
            view = new BlobView(filePath, blobId.Sha, size, BlobDisplay.Image, null, 0);
        }
        else if (size > limits.MaxRenderBytes)
        {
            view = new BlobView(filePath, blobId.Sha, size, BlobDisplay.TooLarge, null, 0);
        }
        else if (repository.Lookup<Blob>(blobId) is not { IsBinary: false } blob)
        {
            view = new BlobView(filePath, blobId.Sha, size, BlobDisplay.Binary, null, 0);
        }
        else
        {
            var (text, encoding) = Decode(blob);
            var (html, lines) = highlighter.Render(filePath, text);
            view = new BlobView(filePath, blobId.Sha, size, BlobDisplay.Text, html, lines,
                ReadmeRenderer.IsMarkdown(filePath) ? text : null, encoding);
        }

        return cache.Set(key, view, BrowseCache.ObjectBytes + BrowseCache.StringBytes(view.Html) + BrowseCache.StringBytes(view.MarkdownText) + 200);
    }

    /// <summary>The text of a small blob (READMEs), or null if missing, binary or larger than <paramref name="maxBytes"/> (by its header).</summary>
    public (string BlobId, string Text)? ReadText(string path, string commitId, string filePath, long maxBytes)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        if (repository.Lookup<Commit>(commitId)?.Tree[filePath] is not { TargetType: TreeEntryTargetType.Blob } entry
            || HeaderSize(repository, entry.Target.Id) > maxBytes
            || repository.Lookup<Blob>(entry.Target.Id) is not { IsBinary: false } blob)
        {
            return null;
        }

        return (blob.Sha, Decode(blob).Text);
    }

    /// <summary>
    /// Streams a blob to the stream <paramref name="openOutput"/> returns once it knows the size; false when the path
    /// is not a file. Blobs within <see cref="BrowseOptions.MaxRenderBytes"/> are read here; larger ones are piped from
    /// <c>git cat-file blob</c>, so this process never holds them (they count as binary: no sniffing of huge files).
    /// </summary>
    public async Task<bool> CopyBlobAsync(string path, string commitId, string filePath, Func<long, bool, Stream?> openOutput, CancellationToken cancellationToken)
    {
        Stream? content = null;
        string blobId;
        long size;
        bool binary;
        using (var lease = pool.Rent(path))
        {
            var repository = lease.Repository;
            if (repository.Lookup<Commit>(commitId)?.Tree[filePath] is not { TargetType: TreeEntryTargetType.Blob } entry)
            {
                return false;
            }

            blobId = entry.Target.Sha;
            size = HeaderSize(repository, entry.Target.Id);
            binary = true;
            if (size <= limits.MaxRenderBytes && repository.Lookup<Blob>(entry.Target.Id) is { } blob)
            {
                binary = blob.IsBinary;
                var buffer = new MemoryStream((int)size);
                await using (var stream = blob.GetContentStream())
                {
                    await stream.CopyToAsync(buffer, cancellationToken);
                }

                buffer.Position = 0;
                content = buffer;
            }
        }

        if (openOutput(size, binary) is not { } output)
        {
            return true; // HEAD: headers only
        }

        if (content is not null)
        {
            await using (content)
            {
                await content.CopyToAsync(output, cancellationToken);
            }
        }
        else
        {
            // Above core.bigFileThreshold git streams a blob instead of inflating it whole in memory (512 MiB by default).
            await GitRunner.RunToStreamAsync(path, ["-c", "core.bigFileThreshold=1m", "cat-file", "blob", blobId], output, cancellationToken);
        }

        return true;
    }

    /// <summary>A blob's size from its object header (loose or packed, deltas resolved by header): the blob is not loaded.</summary>
    private static long HeaderSize(LibGit2Sharp.Repository repository, ObjectId id) =>
        repository.ObjectDatabase.RetrieveObjectMetadata(id).Size;

    /// <summary>UTF-8 when the bytes are valid UTF-8 (BOM dropped), else ISO-8859-1 (every byte a character), named.</summary>
    private static (string Text, string? Encoding) Decode(Blob blob)
    {
        using var stream = blob.GetContentStream();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        try
        {
            return (StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException)
        {
            return (Encoding.Latin1.GetString(bytes), "ISO-8859-1");
        }
    }

    private static string? TryPeel(LibGit2Sharp.Repository repository, string canonicalName)
    {
        try
        {
            return repository.Refs[canonicalName]?.ResolveToDirectReference()?.Target?.Peel<Commit>()?.Sha;
        }
        catch (LibGit2SharpException)
        {
            return null; // not a valid ref name
        }
    }

    private static TreeEntryKind KindOf(TreeEntry entry) => entry.TargetType switch
    {
        TreeEntryTargetType.Tree => TreeEntryKind.Directory,
        TreeEntryTargetType.GitLink => TreeEntryKind.Submodule,
        _ when entry.Mode == Mode.SymbolicLink => TreeEntryKind.Symlink,
        _ => TreeEntryKind.File,
    };

    private static CommitSummary Summarize(LibGit2Sharp.Commit commit) =>
        new(commit.Sha, commit.MessageShort, commit.Author.Name, commit.Author.Email, commit.Author.When);

    private static long SummaryBytes(CommitSummary summary) =>
        BrowseCache.ObjectBytes + 104 + BrowseCache.StringBytes(summary.Subject) + BrowseCache.StringBytes(summary.AuthorName) + BrowseCache.StringBytes(summary.AuthorEmail);
}
