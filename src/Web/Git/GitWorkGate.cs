using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// Runs the expensive browsing work (blame, file history, code search, last-commit columns) with at most
/// <see cref="BrowseOptions.MaxGitCommands"/> at once portal-wide, each under <see cref="BrowseOptions.GitCommandTimeout"/>,
/// and shares one run between every request that asks for the same key at the same time. The work's own token is
/// its timeout, not a requester's: the first visitor leaving does not waste the work for the others.
/// </summary>
public sealed class GitWorkGate(IOptions<BrowseOptions> options)
{
    private readonly SemaphoreSlim slots = new(options.Value.MaxGitCommands);
    private readonly ConcurrentDictionary<object, Lazy<Task<object?>>> running = new();
    private readonly TimeSpan timeout = options.Value.GitCommandTimeout;

    /// <summary>Works that found every slot taken and waited (counted for the logs and tests).</summary>
    public long Queued => Interlocked.Read(ref queued);

    private long queued;

    public async Task<T> RunAsync<T>(object key, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var lazy = running.GetOrAdd(key, k => new Lazy<Task<object?>>(() => RunGatedAsync(k, work)));
        return (T)(await lazy.Value.WaitAsync(cancellationToken))!;
    }

    private async Task<object?> RunGatedAsync<T>(object key, Func<CancellationToken, Task<T>> work)
    {
        try
        {
            if (!slots.Wait(0))
            {
                Interlocked.Increment(ref queued);
                await slots.WaitAsync();
            }

            try
            {
                using var deadline = new CancellationTokenSource(timeout);
                return await Task.Run(() => work(deadline.Token), CancellationToken.None);
            }
            finally
            {
                slots.Release();
            }
        }
        finally
        {
            running.TryRemove(key, out _);
        }
    }
}
