using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Several peer sources as one (e.g. the DHT plus peers added by address): lookups run concurrently and their
/// results are merged without duplicates; announces go to every source. A failing source does not stop the others.
/// </summary>
public sealed class CompositePeerDiscovery(params IPeerDiscovery[] sources) : IPeerDiscovery
{
    public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var found = Channel.CreateUnbounded<IPEndPoint>();
        var lookups = sources.Select(async source =>
        {
            try
            {
                await foreach (var peer in source.FindPeersAsync(infoHash, cancellationToken).ConfigureAwait(false))
                {
                    await found.Writer.WriteAsync(peer, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // one broken source must not hide the others' peers
            }
        }).ToArray();
        _ = Task.WhenAll(lookups).ContinueWith(_ => found.Writer.TryComplete(), TaskScheduler.Default);
        var seen = new HashSet<IPEndPoint>();
        await foreach (var peer in found.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(peer))
            {
                yield return peer;
            }
        }
    }

    public Task AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken) =>
        Task.WhenAll(sources.Select(s => s.AnnounceAsync(infoHash, port, cancellationToken)));
}
