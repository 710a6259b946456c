using System.Net;
using System.Runtime.CompilerServices;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Wire;

/// <summary>Answers lookups with <paramref name="peers"/> only once <see cref="Open"/> was called (a source held back until an event).</summary>
internal sealed class GatedPeerDiscovery(IReadOnlyList<IPEndPoint> peers) : IPeerDiscovery
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate.TrySetResult();

    public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var peer in peers)
        {
            yield return peer;
        }
    }

    public Task AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken) => Task.CompletedTask;
}
