namespace GitTorrent.Web.Services;

public sealed record SearchResults(
    IReadOnlyList<UserSummary> Users,
    IReadOnlyList<RepositorySummary> Repositories,
    IReadOnlyList<string> Names,
    bool HasMore = false)
{
    public static SearchResults Empty { get; } = new([], [], []);

    public bool IsEmpty => Users.Count == 0 && Repositories.Count == 0 && Names.Count == 0;
}
