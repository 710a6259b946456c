using System.Collections.Concurrent;
using GitTorrent.Engine;
using GitTorrent.Engine.Issues;
using GitTorrent.Web.Git;
using GitTorrent.Web.Services;
using LibGit2Sharp;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Issues;

/// <summary>
/// Issues "proposed" to a repository (docs/PROTOCOL.md section 6): issue files found only on its other branches or in forks,
/// with where they come from. A source's change is what it did since it split from the default branch (three-way:
/// a stale branch that still has an issue open does not propose to reopen it). Results are cached by the pair of tips.
/// </summary>
public sealed class IssueProposals(
    IssueIndex index,
    GitTorrent.Web.Forks.ForkIndex forks,
    IOptions<IssuePageOptions> options)
{
    private readonly ConcurrentDictionary<(string, string, string), IReadOnlyList<ProposedIssue>> _computed = new();

    /// <summary>The branches searched: the repository's other branches, then its forks' branches, bounded.</summary>
    public async Task<IReadOnlyList<ProposalSource>> SourcesAsync(RepositoryContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.StorePath is not { } path || context.Ref is not { } head)
        {
            return [];
        }
        var sources = context.Refs.Where(r => !r.IsTag && r.ShortName != context.DefaultBranch && r.CommitId != head.CommitId)
            .OrderBy(r => r.ShortName, StringComparer.Ordinal)
            .Select(r => new ProposalSource(context.Owner.UserId, context.Repository.Name, path, r.ShortName, r.CommitId, false))
            .ToList();
        foreach (var fork in await forks.ForksAsync(context.Owner.UserId, context.Repository.Name, cancellationToken))
        {
            sources.AddRange(fork.Branches.Where(b => b.CommitId != head.CommitId)
                .Select(b => new ProposalSource(fork.OwnerId, fork.Name, fork.Path, b.ShortName, b.CommitId, true)));
        }
        return [.. sources.Take(options.Value.MaxProposalSources)];
    }

    /// <summary>Every proposed issue change to the repository's default branch.</summary>
    public async Task<IReadOnlyList<ProposedIssue>> ForRepositoryAsync(RepositoryContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.StorePath is not { } path || context.Ref is not { } head)
        {
            return [];
        }
        var proposals = new List<ProposedIssue>();
        foreach (var source in await SourcesAsync(context, cancellationToken))
        {
            var key = (head.CommitId, source.RepositoryPath, source.CommitId);
            if (!_computed.TryGetValue(key, out var found))
            {
                found = await ComputeAsync(path, head.CommitId, source, cancellationToken);
                if (_computed.Count > 10_000)
                {
                    _computed.Clear();
                }
                _computed[key] = found;
            }
            proposals.AddRange(found);
        }
        return proposals;
    }

    private async Task<IReadOnlyList<ProposedIssue>> ComputeAsync(string path, string head, ProposalSource source, CancellationToken cancellationToken)
    {
        if (index.IssuesTreeOf(source.RepositoryPath, source.CommitId) == index.IssuesTreeOf(path, head))
        {
            return [];
        }
        var ours = await index.SnapshotAsync(path, head, cancellationToken);
        var theirs = await index.SnapshotAsync(source.RepositoryPath, source.CommitId, cancellationToken);
        var mergeBase = await forks.MergeBaseAsync(path, head, source.RepositoryPath, source.CommitId, cancellationToken);
        var @base = mergeBase is null ? null : await index.SnapshotAsync(forks.PathWithBoth(path, source.RepositoryPath), mergeBase, cancellationToken);
        var proposed = new List<ProposedIssue>();
        foreach (var (id, folder) in theirs.Folders)
        {
            if (proposed.Count >= options.Value.MaxProposedPerSource)
            {
                break;
            }
            var ourFolder = ours.Folders.TryGetValue(id, out var f) ? f : (Hash20?)null;
            var baseFolder = @base is not null && @base.Folders.TryGetValue(id, out var b) ? b : (Hash20?)null;
            if (folder == ourFolder || folder == baseFolder || !theirs.ById.TryGetValue(id, out var summary))
            {
                continue; // the same as ours, or not changed on their side, or unreadable there
            }
            if (ourFolder is null)
            {
                if (baseFolder is null)
                {
                    proposed.Add(new ProposedIssue(id, source, summary, true, [], null));
                }
                continue; // (deleted on our side since the split: not proposed again)
            }
            var theirDetail = await index.DetailAsync(source.RepositoryPath, id, folder, cancellationToken);
            var ourDetail = await index.DetailAsync(path, id, ourFolder.Value, cancellationToken);
            var known = ourDetail?.Comments.Select(c => c.FileName).ToHashSet(StringComparer.Ordinal) ?? [];
            var newComments = theirDetail?.Comments.Where(c => !known.Contains(c.FileName)).ToList() ?? [];
            IssueState? state = null;
            if (ours.ById.TryGetValue(id, out var mine) && mine.State != summary.State
                && @base is not null && @base.ById.TryGetValue(id, out var original) && original.State != summary.State)
            {
                state = summary.State;
            }
            if (newComments.Count > 0 || state is not null)
            {
                proposed.Add(new ProposedIssue(id, source, summary, false, newComments, state));
            }
        }
        return proposed;
    }
}
