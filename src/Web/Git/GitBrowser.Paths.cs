using GitTorrent.Web.Rendering;
using LibGit2Sharp;

namespace GitTorrent.Web.Git;

public sealed partial class GitBrowser
{
    /// <summary>Every tag, newest first (tagger date for annotated tags, else the commit's date); reused like the ref list.</summary>
    public IReadOnlyList<TagView> Tags(string path) => cache.GetOrCreate<IReadOnlyList<TagView>>(("tags", path), () =>
        {
            using var lease = pool.Rent(path);
            var repository = lease.Repository;
            var tags = new List<TagView>();
            foreach (var tag in repository.Tags)
            {
                Commit? commit;
                try
                {
                    commit = tag.PeeledTarget as Commit;
                }
                catch (LibGit2SharpException)
                {
                    continue;
                }

                if (commit is null)
                {
                    continue;
                }

                tags.Add(tag.Annotation is { } annotation
                    ? new TagView(tag.FriendlyName, commit.Sha, true, annotation.Message, annotation.Tagger?.Name, annotation.Tagger?.When ?? commit.Author.When)
                    : new TagView(tag.FriendlyName, commit.Sha, false, null, null, commit.Author.When));
            }

            return [.. tags.OrderByDescending(t => t.When).ThenBy(t => t.Name, StringComparer.Ordinal)];
        },
        tags => BrowseCache.ObjectBytes + tags.Sum(t => 200 + BrowseCache.StringBytes(t.Name) + BrowseCache.StringBytes(t.Message) + BrowseCache.StringBytes(t.TaggerName)),
        RefsCacheTime);

    /// <summary>README files shown under a tree, in order of preference.</summary>
    private static readonly string[] ReadmeNames = ["README.md", "readme.md", "Readme.md", "README.markdown", "README", "README.txt", "README.rst"];

    /// <summary>READMEs larger than this are not shown or described.</summary>
    public const long MaxReadmeBytes = 512 * 1024;

    /// <summary>The README among a directory's entries, if any.</summary>
    public static TreeEntryView? FindReadme(IReadOnlyList<TreeEntryView> entries) =>
        ReadmeNames.Select(name => entries.FirstOrDefault(e => e.Kind == TreeEntryKind.File && e.Name == name)).FirstOrDefault(e => e is not null);

    /// <summary>
    /// The repository's one-line description: git's own <c>description</c> file of the store repository (what gitweb
    /// and cgit show; an admin writes it for a mirror), unless it is missing, empty, larger than
    /// <see cref="MaxDescriptionBytes"/> or git's placeholder; else the README's first paragraph at
    /// <paramref name="commitId"/>.
    /// </summary>
    public string? Description(string path, string commitId) => cache.GetOrCreate(("description", path, commitId), () =>
        {
            if (DescriptionFile(path) is { } own)
            {
                return own;
            }
            var readme = ListTree(path, commitId, "") is { } entries ? FindReadme(entries) : null;
            return readme is not null && ReadText(path, commitId, readme.Path, MaxReadmeBytes) is { } text
                ? ReadmeRenderer.FirstParagraph(text.Text, 300)
                : null;
        },
        text => BrowseCache.ObjectBytes + BrowseCache.StringBytes(text));

    /// <summary>Largest <c>description</c> file read.</summary>
    public const int MaxDescriptionBytes = 1024;

    private static string? DescriptionFile(string path)
    {
        var file = new FileInfo(Path.Combine(path, "description"));
        if (!file.Exists || file.Length == 0 || file.Length > MaxDescriptionBytes)
        {
            return null;
        }
        var text = string.Join(' ', File.ReadAllText(file.FullName).Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        // git init writes "Unnamed repository; edit this file 'description' to name the repository."
        return text.Length == 0 || text.StartsWith("Unnamed repository;", StringComparison.Ordinal) ? null : text;
    }
}
