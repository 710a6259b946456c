namespace GitTorrent.Engine.Git;

/// <summary>
/// The commits a seeder serves, in memory: every commit reachable from the branches, tags and HEAD of each served
/// repository, so that a handshake naming an unknown commit costs a lookup, not a git process per repository. Kept up
/// to date by <see cref="RefreshAsync"/>: one <c>for-each-ref</c> per repository, and a <c>rev-list</c> of what is new
/// where tips moved. At most <see cref="MaxCommits"/> commits are held (tips first); the rest of a history beyond that
/// is not served and counted in <see cref="Truncated"/>.
/// </summary>
public sealed class ServedCommitIndex(int maxCommits)
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _count;
    private long _truncated;

    /// <summary>Most commits held over all repositories.</summary>
    public int MaxCommits { get; } = maxCommits > 0 ? maxCommits : throw new ArgumentOutOfRangeException(nameof(maxCommits));

    /// <summary>Commits held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Histories cut short because the index was full (a limit that bit).</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    /// <summary>The served repository that has <paramref name="commit"/>, or null.</summary>
    public ServedRepository? Find(Hash20 commit)
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                if (entry.Commits.Contains(commit))
                {
                    return entry.Repository;
                }
            }
            return null;
        }
    }

    /// <summary>
    /// Brings the index to <paramref name="repositories"/> as they are now: repositories no longer served are forgotten,
    /// new tips and their history are added. One refresh at a time; a repository git cannot read is left as it was.
    /// </summary>
    public async Task RefreshAsync(IReadOnlyList<ServedRepository> repositories, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Dictionary<string, Entry> kept;
            lock (_gate)
            {
                kept = repositories.DistinctBy(r => r.Path)
                    .ToDictionary(r => r.Path, r => _entries.TryGetValue(r.Path, out var e) ? e with { Repository = r } : new Entry(r, [], []),
                        StringComparer.Ordinal);
                _entries = kept;
                _count = kept.Values.Sum(e => e.Commits.Count);
            }
            foreach (var entry in kept.Values)
            {
                try
                {
                    await RefreshOneAsync(entry, cancellationToken).ConfigureAwait(false);
                }
                catch (GitCommandException)
                {
                    // Unreadable now (being written, or gone): what it had stays until the next refresh.
                }
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task RefreshOneAsync(Entry entry, CancellationToken cancellationToken)
    {
        var tips = (await GitRefs.ReadAsync(entry.Repository.Path, cancellationToken).ConfigureAwait(false)).Values.ToHashSet();
        HashSet<Hash20> fresh;
        int room;
        lock (_gate)
        {
            fresh = [.. tips.Where(t => !entry.Tips.Contains(t))];
            if (fresh.Count == 0)
            {
                return;
            }
            room = MaxCommits - _count;
            foreach (var tip in fresh)
            {
                // Tips first, so that what profiles list is served even when the histories do not fit.
                if (room > 0 && entry.Commits.Add(tip))
                {
                    room--;
                    _count++;
                }
            }
        }
        if (room <= 0)
        {
            Interlocked.Increment(ref _truncated);
            lock (_gate)
            {
                entry.Tips.UnionWith(fresh);
            }
            return;
        }
        // Everything new since the tips already indexed, at most what fits (--ignore-missing: an old tip may be gone).
        var input = string.Concat(fresh.Select(t => t + "\n")) + string.Concat(entry.Tips.Select(t => "^" + t + "\n"));
        var output = await GitRunner.RunAsync(entry.Repository.Path,
            ["rev-list", "--stdin", "--ignore-missing", $"--max-count={room + 1}"], cancellationToken, input).ConfigureAwait(false);
        var commits = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lock (_gate)
        {
            foreach (var line in commits)
            {
                if (_count >= MaxCommits)
                {
                    Interlocked.Increment(ref _truncated);
                    break;
                }
                if (Hash20.TryParse(line, out var commit) && entry.Commits.Add(commit))
                {
                    _count++;
                }
            }
            entry.Tips.UnionWith(fresh);
        }
    }

    private sealed record Entry(ServedRepository Repository, HashSet<Hash20> Tips, HashSet<Hash20> Commits);
}
