using GitTorrent.Web.Services;

namespace GitTorrent.Web.Issues;

/// <summary>Links to the issue, fork and compare pages of a repository (every segment escaped).</summary>
public static class IssueUrls
{
    public static string Issues(RepositoryUrls urls, string state = "open", string? query = null, int page = 1)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var link = $"{urls.Home}/issues?state={Uri.EscapeDataString(state)}";
        if (!string.IsNullOrEmpty(query))
        {
            link += "&q=" + Uri.EscapeDataString(query);
        }
        return page > 1 ? link + $"&page={page}" : link;
    }

    public static string Issue(RepositoryUrls urls, string id)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return $"{urls.Home}/issues/{Uri.EscapeDataString(id)}";
    }

    public static string Forks(RepositoryUrls urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return $"{urls.Home}/forks";
    }

    /// <summary><c>.../compare/{base}...{head}</c>; <paramref name="headOwner"/> makes the head <c>{owner}:{branch}</c>.</summary>
    public static string Compare(RepositoryUrls urls, string baseRef, string headRef, string? headOwner = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var head = headOwner is null ? RepositoryUrls.EscapePath(headRef) : $"{Uri.EscapeDataString(headOwner)}:{RepositoryUrls.EscapePath(headRef)}";
        return $"{urls.Home}/compare/{RepositoryUrls.EscapePath(baseRef)}...{head}";
    }

    /// <summary>The repository part of a page route with an optional group segment (<c>group/repo</c> names).</summary>
    public static string RepositoryPath(string? group, string repository) => group is null ? repository : $"{group}/{repository}";
}
