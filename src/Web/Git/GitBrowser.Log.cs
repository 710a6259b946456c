using LibGit2Sharp;

namespace GitTorrent.Web.Git;

public sealed partial class GitBrowser
{
    public CommitPage Log(string path, string commitId, int skip, int take) => cache.GetOrCreate(
        ("log", path, commitId, skip, take), () => ReadLog(path, commitId, skip, take),
        page => BrowseCache.ObjectBytes + page.Commits.Sum(SummaryBytes));

    /// <summary>One commit's summary, or null when it is not in the repository.</summary>
    public CommitSummary? Summary(string path, string commitId) => cache.GetOrCreate(
        ("summary", path, commitId), () =>
        {
            using var lease = pool.Rent(path);
            return lease.Repository.Lookup<Commit>(commitId) is { } commit ? Summarize(commit) : null;
        },
        summary => summary is null ? BrowseCache.ObjectBytes : SummaryBytes(summary));

    /// <summary>How many commits <paramref name="commitId"/> reaches (cached by commit id: immutable).</summary>
    public int CountCommits(string path, string commitId) => cache.GetOrCreate(
        ("count", path, commitId), () =>
        {
            using var lease = pool.Rent(path);
            var repository = lease.Repository;
            return repository.Lookup<Commit>(commitId) is { } start
                ? repository.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = start, SortBy = CommitSortStrategies.None }).Count()
                : 0;
        },
        _ => BrowseCache.ObjectBytes);

    /// <summary>Commits in <paramref name="commitId"/> and not in <paramref name="baseId"/>, and the other way round.</summary>
    public (int Ahead, int Behind) Divergence(string path, string commitId, string baseId) => cache.GetOrCreate(
        ("divergence", path, commitId, baseId), () =>
        {
            using var lease = pool.Rent(path);
            var repository = lease.Repository;
            if (repository.Lookup<Commit>(commitId) is not { } one || repository.Lookup<Commit>(baseId) is not { } other)
            {
                return (0, 0);
            }

            var divergence = repository.ObjectDatabase.CalculateHistoryDivergence(one, other);
            return (divergence.AheadBy ?? 0, divergence.BehindBy ?? 0);
        },
        _ => BrowseCache.ObjectBytes);

    private CommitPage ReadLog(string path, string commitId, int skip, int take)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        var start = repository.Lookup<Commit>(commitId);
        if (start is null)
        {
            return new CommitPage([], false);
        }

        var query = repository.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = start,
            // Topological keeps children before parents when commit times tie (scripts, rebases); it walks the
            // whole history once, which the page cache above absorbs.
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
        });
        var page = query.Skip(skip).Take(take + 1).Select(Summarize).ToList();
        var hasMore = page.Count > take;
        return new CommitPage(hasMore ? page[..take] : page, hasMore);
    }
}
