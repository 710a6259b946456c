using Microsoft.Extensions.Logging;

namespace GitTorrent.Web.Node;

/// <summary>
/// In-process notifications for live pages (eShop's OrderStatusNotificationService): components subscribe in
/// OnInitialized and dispose the subscription. Also fans "repository updated" out to every
/// <see cref="IRepositoryUpdatedHandler"/>.
/// </summary>
public sealed partial class PortalNotifications(IEnumerable<IRepositoryUpdatedHandler> handlers, ILogger<PortalNotifications> logger)
{
    private readonly Lock gate = new();
    private readonly List<Func<Task>> swarmSubscribers = [];
    private readonly List<Func<RepositoryUpdated, Task>> repositorySubscribers = [];

    /// <summary>Subscribes to swarm changes; dispose the result to unsubscribe.</summary>
    public IDisposable OnSwarmChanged(Func<Task> callback) => Subscribe(swarmSubscribers, callback);

    /// <summary>Subscribes to repository updates; dispose the result to unsubscribe.</summary>
    public IDisposable OnRepositoryUpdated(Func<RepositoryUpdated, Task> callback) => Subscribe(repositorySubscribers, callback);

    /// <summary>The engine calls this when its totals change (at most a few times a second).</summary>
    public Task PublishSwarmChanged() => NotifyAsync(swarmSubscribers, f => f());

    /// <summary>Runs every <see cref="IRepositoryUpdatedHandler"/>, then tells subscribed pages.</summary>
    public async Task PublishRepositoryUpdatedAsync(RepositoryUpdated update, CancellationToken cancellationToken)
    {
        foreach (var handler in handlers)
        {
            try
            {
                await handler.OnRepositoryUpdatedAsync(update, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandlerFailed(handler.GetType().Name, update.UserId, update.Name, e);
            }
        }

        await NotifyAsync(repositorySubscribers, f => f(update));
    }

    private IDisposable Subscribe<T>(List<T> list, T callback)
    {
        lock (gate)
        {
            list.Add(callback);
        }

        return new Subscription(() =>
        {
            lock (gate)
            {
                list.Remove(callback);
            }
        });
    }

    private async Task NotifyAsync<T>(List<T> list, Func<T, Task> invoke)
    {
        T[] snapshot;
        lock (gate)
        {
            snapshot = [.. list];
        }

        foreach (var callback in snapshot)
        {
            try
            {
                await invoke(callback);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSubscriberFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repository-updated handler {Handler} failed for {UserId}/{Repository}")]
    private partial void LogHandlerFailed(string handler, string userId, string repository, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notification subscriber failed")]
    private partial void LogSubscriberFailed(Exception exception);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref dispose, null)?.Invoke();
    }
}
