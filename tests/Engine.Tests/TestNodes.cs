using GitTorrent.Engine.Node;

namespace GitTorrent.Engine.Tests;

/// <summary>
/// GitTorrent nodes of one test, each with its state folder below one root, and whatever else the test
/// wants disposed with them (in reverse order); the root is deleted at the end.
/// </summary>
internal sealed class TestNodes(string prefix) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _disposables = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    /// <summary>The state folder of the node named <paramref name="name"/>.</summary>
    public string Folder(string name) => Path.Combine(Root, name);

    /// <summary>Starts a node (give it a <see cref="Folder"/>), disposed with the others.</summary>
    public async Task<GitTorrentNode> StartAsync(GitTorrentNodeOptions options, CancellationToken cancellationToken) =>
        Add(await GitTorrentNode.StartAsync(options, null, cancellationToken));

    public T Add<T>(T disposable) where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
    }
}
