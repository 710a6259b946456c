using System.Collections.Concurrent;
using GitTorrent.Engine.Git;
using GitTorrent.Web.Git;
using GitTorrent.Web.Services;
using LibGit2Sharp;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace GitTorrent.Web.Forks;

/// <summary>
/// <c>/u/{u}/{repo}/compare/{base}...{head}</c> and the "proposed changes" of forks: reads both sides in one scratch
/// repository that sees the objects of both store repositories (<see cref="CompareWorkspaces"/>), lists the commits
/// and the diff with LibGit2Sharp, and asks <c>git merge-tree --write-tree</c> (git 2.38+) whether head merges
/// cleanly, at most <see cref="ForkOptions.MaxConcurrentMergeChecks"/> at once, each within
/// <see cref="ForkOptions.MergeCheckTimeout"/>; every answer is cached by the pair of commits.
/// </summary>
public sealed partial class CompareService(
    ForkIndex forks,
    CompareWorkspaces workspaces,
    GitRepositoryPool pool,
    GitBrowser browser,
    UserDirectory users,
    IOptions<ForkOptions> options,
    IOptions<BrowseOptions> browserLimits,
    ILogger<CompareService> logger) : IDisposable
{
    /// <summary>Longest compare spec accepted from a URL.</summary>
    public const int MaxSpecLength = 600;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private readonly SemaphoreSlim _mergeChecks = new(options.Value.MaxConcurrentMergeChecks);
    private readonly ConcurrentDictionary<(string, string), int?> _ahead = new();

    /// <summary>The comparison a spec names, or null when base or head is not found.</summary>
    public async Task<Comparison?> CompareAsync(RepositoryContext context, string spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(spec);
        var split = spec.IndexOf("...", StringComparison.Ordinal);
        if (context.StorePath is not { } path || spec.Length > MaxSpecLength || split <= 0 || split + 3 >= spec.Length)
        {
            return null;
        }
        var baseName = spec[..split];
        var headSpec = spec[(split + 3)..];
        if (browser.Resolve(path, baseName.Split('/')) is not { Path.Count: 0 } @base)
        {
            return null;
        }
        var headOwner = context.Owner.UserId;
        var headRepository = context.Repository.Name;
        var headPath = path;
        var headName = headSpec;
        var colon = headSpec.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (await users.ResolveOwnerAsync(headSpec[..colon], cancellationToken) is not { } owner)
            {
                return null;
            }
            headName = headSpec[(colon + 1)..];
            headOwner = owner.UserId;
            if (headOwner != context.Owner.UserId)
            {
                // The other user's fork of this repository (the same name first, else any fork they have).
                var theirs = (await forks.ForksAsync(context.Owner.UserId, context.Repository.Name, cancellationToken))
                    .Where(f => f.OwnerId == headOwner).OrderBy(f => f.Name == context.Repository.Name ? 0 : 1).FirstOrDefault();
                if (theirs is null)
                {
                    return null;
                }
                headRepository = theirs.Name;
                headPath = theirs.Path;
            }
        }
        if (headName.Length == 0 || browser.Resolve(headPath, headName.Split('/')) is not { Path.Count: 0 } head)
        {
            return null;
        }
        var key = ("compare", path, @base.CommitId, headPath, head.CommitId);
        if (_cache.TryGetValue(key, out Comparison? cached))
        {
            return cached;
        }
        var workspace = workspaces.PathFor(path, headPath);
        var comparison = Read(workspace, @base, head, headOwner, headRepository, headPath != path);
        var (merge, final) = await CheckMergeAsync(workspace, @base.CommitId, head.CommitId, cancellationToken);
        comparison = comparison with { Merge = merge };
        if (final)
        {
            _cache.Set(key, comparison, new MemoryCacheEntryOptions { Size = 1 + comparison.Files.Sum(f => f.Lines.Count) / 100 });
        }
        return comparison;
    }

    /// <summary>Branches of forks with commits the default branch lacks (bounded by <see cref="ForkOptions"/>'s index).</summary>
    public async Task<IReadOnlyList<ProposedChange>> ProposedChangesAsync(RepositoryContext context, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context is not { StorePath: { } path, Ref: { } head })
        {
            return [];
        }
        var changes = new List<ProposedChange>();
        foreach (var fork in await forks.ForksAsync(context.Owner.UserId, context.Repository.Name, cancellationToken))
        {
            foreach (var branch in fork.Branches)
            {
                if (changes.Count >= max)
                {
                    return changes;
                }
                if (branch.CommitId == head.CommitId)
                {
                    continue;
                }
                if (!_ahead.TryGetValue((head.CommitId, branch.CommitId), out var ahead))
                {
                    ahead = forks.AheadBy(path, head.CommitId, fork.Path, branch.CommitId);
                    if (_ahead.Count > 100_000)
                    {
                        _ahead.Clear();
                    }
                    _ahead[(head.CommitId, branch.CommitId)] = ahead;
                }
                if (ahead > 0)
                {
                    changes.Add(new ProposedChange(fork, branch, ahead.Value));
                }
            }
        }
        return changes;
    }

    public void Dispose()
    {
        _cache.Dispose();
        _mergeChecks.Dispose();
    }

    private Comparison Read(string workspace, ResolvedRef @base, ResolvedRef head, string headOwner, string headRepository, bool headIsFork)
    {
        using var lease = pool.Rent(workspace);
        var repository = lease.Repository;
        var baseCommit = repository.Lookup<Commit>(@base.CommitId);
        var headCommit = repository.Lookup<Commit>(head.CommitId);
        var mergeBase = repository.ObjectDatabase.FindMergeBase(baseCommit, headCommit);
        var commits = repository.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = headCommit,
            ExcludeReachableFrom = baseCommit,
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
        }).Take(options.Value.MaxCompareCommits + 1)
            .Select(c => new CommitSummary(c.Sha, c.MessageShort, c.Author.Name, c.Author.Email, c.Author.When)).ToList();
        var more = commits.Count > options.Value.MaxCompareCommits;
        var files = browser.DiffTrees(repository, mergeBase?.Tree ?? baseCommit.Tree, headCommit.Tree, out var truncated);
        return new Comparison(@base.Name, @base.CommitId, head.Name, head.CommitId, headOwner, headRepository, headIsFork, mergeBase?.Sha,
            commits.Take(options.Value.MaxCompareCommits).ToList(), more, files, truncated, new MergeCheck(MergeState.Unknown, [], null));
    }

    /// <summary>The merge check and whether it is final (a check cut short by the timeout is asked again next time).</summary>
    private async Task<(MergeCheck Check, bool Final)> CheckMergeAsync(string workspace, string @base, string head, CancellationToken cancellationToken)
    {
        if (@base == head)
        {
            return (new MergeCheck(MergeState.Clean, [], null), true);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.MergeCheckTimeout);
        try
        {
            await _mergeChecks.WaitAsync(timeout.Token);
            try
            {
                // Writes the merged tree into the scratch repository only; the store repositories are not touched.
                var result = await GitRunner.RunCapturedAsync(workspace,
                    ["merge-tree", "--write-tree", "--name-only", "--no-messages", @base, head], timeout.Token);
                var lines = result.StandardOutput.Split('\n');
                return (result.ExitCode switch
                {
                    0 => new MergeCheck(MergeState.Clean, [], null),
                    1 => new MergeCheck(MergeState.Conflicts, [.. lines.Skip(1).TakeWhile(l => l.Length > 0).Take(browserLimits.Value.MaxDiffFiles)], null),
                    _ => new MergeCheck(MergeState.Unknown, [], result.StandardError.Trim().Split('\n')[0]),
                }, true);
            }
            finally
            {
                _mergeChecks.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogMergeCheckTimedOut(logger, workspace, options.Value.MergeCheckTimeout);
            return (new MergeCheck(MergeState.Unknown, [], $"the merge check took longer than {options.Value.MergeCheckTimeout.TotalSeconds:0} s"), false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merge check in {Workspace} stopped after {Timeout} (GitTorrent:Forks:MergeCheckTimeout)")]
    private static partial void LogMergeCheckTimedOut(ILogger logger, string workspace, TimeSpan timeout);
}
