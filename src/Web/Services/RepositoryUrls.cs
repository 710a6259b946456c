namespace GitTorrent.Web.Services;

/// <summary>Links inside one repository; every segment is escaped, so hostile names stay inside the href.</summary>
public sealed class RepositoryUrls(string owner, string repository)
{
    public string Home { get; } = $"/u/{Uri.EscapeDataString(owner)}/{EscapePath(repository)}";

    public string Owner { get; } = $"/u/{Uri.EscapeDataString(owner)}";

    public string Branches { get; } = $"/u/{Uri.EscapeDataString(owner)}/{EscapePath(repository)}/branches";

    public string Tags { get; } = $"/u/{Uri.EscapeDataString(owner)}/{EscapePath(repository)}/tags";

    public string Tree(string refName, string path = "") => Join($"{Home}/tree/{EscapePath(refName)}", path);

    public string Blob(string refName, string path) => Join($"{Home}/blob/{EscapePath(refName)}", path);

    public string Blame(string refName, string path) => Join($"{Home}/blame/{EscapePath(refName)}", path);

    public string Raw(string refName, string path) => Join($"/raw/{Uri.EscapeDataString(owner)}/{EscapePath(repository)}/{EscapePath(refName)}", path);

    public string Commits(string refName, int page = 1) => History(refName, "", page);

    /// <summary>The history of a file or folder (<c>/commits/{ref}/{path}</c>); the whole ref when the path is empty.</summary>
    public string History(string refName, string path, int page = 1) =>
        Join($"{Home}/commits/{EscapePath(refName)}", path) + (page > 1 ? $"?page={page}" : "");

    public string Commit(string id) => $"{Home}/commit/{id}";

    /// <summary><c>/archive/{ref}.tar.gz</c> or <c>.zip</c>; <paramref name="extension"/> includes the dot.</summary>
    public string Archive(string refName, string extension) => $"{Home}/archive/{EscapePath(refName)}{extension}";

    public string Find(string refName) => $"{Home}/find/{EscapePath(refName)}";

    public string Search(string refName, string? query = null) =>
        $"{Home}/search/{EscapePath(refName)}" + (string.IsNullOrEmpty(query) ? "" : "?q=" + Uri.EscapeDataString(query));

    public static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Join(string prefix, string path) => path.Length == 0 ? prefix : prefix + "/" + EscapePath(path);
}
