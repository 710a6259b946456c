using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace GitTorrent.Engine.Swarm;

/// <summary>Several peer sources as one: peers from all of them, without duplicates; announces go to all.</summary>
public sealed class CompositePeerDiscovery(params IPeerDiscovery[] sources) : IPeerDiscovery
{
    public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<IPEndPoint>();
        var pumps = sources.Select(async source =>
        {
            try
            {
                await foreach (var peer in source.FindPeersAsync(infoHash, cancellationToken).ConfigureAwait(false))
                {
                    await channel.Writer.WriteAsync(peer, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is GitTorrentException or IOException or System.Net.Sockets.SocketException)
            {
                // One failing source does not end the others.
            }
        }).ToList();
        _ = Task.WhenAll(pumps).ContinueWith(_ => channel.Writer.TryComplete(), TaskScheduler.Default);
        var seen = new HashSet<IPEndPoint>();
        await foreach (var peer in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
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
