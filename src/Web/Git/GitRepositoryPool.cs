using System.Collections.Concurrent;

namespace GitTorrent.Web.Git;

/// <summary>
/// Open LibGit2Sharp repositories, a few per path: opening one costs file reads, and a
/// <see cref="LibGit2Sharp.Repository"/> must not be used by two threads at once, so each request rents one.
/// </summary>
public sealed class GitRepositoryPool : IDisposable
{
    private const int MaxIdlePerRepository = 8;
    private readonly ConcurrentDictionary<string, ConcurrentBag<LibGit2Sharp.Repository>> idle = new(StringComparer.Ordinal);

    public Lease Rent(string path)
    {
        var bag = idle.GetOrAdd(path, _ => []);
        return new Lease(this, path, bag.TryTake(out var repository) ? repository : new LibGit2Sharp.Repository(path));
    }

    /// <summary>Drops the idle handles of one repository (after a sync rewrote its packs).</summary>
    public void Invalidate(string path)
    {
        if (idle.TryRemove(path, out var bag))
        {
            foreach (var repository in bag)
            {
                repository.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var path in idle.Keys)
        {
            Invalidate(path);
        }
    }

    private void Return(string path, LibGit2Sharp.Repository repository)
    {
        var bag = idle.GetOrAdd(path, _ => []);
        if (bag.Count < MaxIdlePerRepository)
        {
            bag.Add(repository);
        }
        else
        {
            repository.Dispose();
        }
    }

    public readonly struct Lease(GitRepositoryPool pool, string path, LibGit2Sharp.Repository repository) : IDisposable
    {
        public LibGit2Sharp.Repository Repository => repository;

        public void Dispose() => pool.Return(path, repository);
    }
}
