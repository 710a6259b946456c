namespace GitTorrent.Web.Services;

/// <summary>Links inside one repository; every segment is escaped, so hostile names stay inside the href.</summary>
public sealed class RepositoryUrls(string owner, string repository)
{
    public string Home { get; } = $"/u/{Uri.EscapeDataString(owner)}/{EscapePath(repository)}";

    public string Owner { get; } = $"/u/{Uri.EscapeDataString(owner)}";

    public string Tree(string refName, string path = "") => Join($"{Home}/tree/{EscapePath(refName)}", path);

    public string Blob(string refName, string path) => Join($"{Home}/blob/{EscapePath(refName)}", path);

    public string Raw(string refName, string path) => Join($"/raw/{Uri.EscapeDataString(owner)}/{EscapePath(repository)}/{EscapePath(refName)}", path);

    public string Commits(string refName, int page = 1) => $"{Home}/commits/{EscapePath(refName)}" + (page > 1 ? $"?page={page}" : "");

    public string Commit(string id) => $"{Home}/commit/{id}";

    public static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Join(string prefix, string path) => path.Length == 0 ? prefix : prefix + "/" + EscapePath(path);
}
