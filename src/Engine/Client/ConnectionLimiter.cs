using System.Net;

namespace GitTorrent.Engine.Client;

/// <summary>
/// The engine's connection slots, one owner of the counts: inbound and outbound apart (a flood of inbound sockets cannot
/// take the slots our own dials need), and inbound per remote address. Counts what it refuses.
/// </summary>
internal sealed class ConnectionLimiter(TorrentEngineOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _inbound;
    private int _outbound;
    private long _refusedInbound;
    private long _refusedPerAddress;
    private long _refusedOutbound;

    public int Inbound => Volatile.Read(ref _inbound);

    public int Outbound => Volatile.Read(ref _outbound);

    public long RefusedInbound => Interlocked.Read(ref _refusedInbound);

    public long RefusedPerAddress => Interlocked.Read(ref _refusedPerAddress);

    public long RefusedOutbound => Interlocked.Read(ref _refusedOutbound);

    /// <summary>Takes an inbound slot for <paramref name="remote"/>, or says which limit refused it.</summary>
    public bool TryAcquireInbound(IPAddress remote, out string? refusal)
    {
        var address = Normalize(remote);
        lock (_gate)
        {
            if (_inbound >= options.MaxInboundConnections)
            {
                _refusedInbound++;
                refusal = nameof(TorrentEngineOptions.MaxInboundConnections);
                return false;
            }
            var count = _perAddress.GetValueOrDefault(address);
            if (count >= options.MaxConnectionsPerAddress)
            {
                _refusedPerAddress++;
                refusal = nameof(TorrentEngineOptions.MaxConnectionsPerAddress);
                return false;
            }
            _perAddress[address] = count + 1;
            _inbound++;
            refusal = null;
            return true;
        }
    }

    public bool TryAcquireOutbound()
    {
        lock (_gate)
        {
            if (_outbound >= options.MaxOutboundConnections)
            {
                _refusedOutbound++;
                return false;
            }
            _outbound++;
            return true;
        }
    }

    /// <summary>Gives back the slot a connection held.</summary>
    public void Release(bool outbound, IPAddress remote)
    {
        lock (_gate)
        {
            if (outbound)
            {
                _outbound--;
                return;
            }
            _inbound--;
            var address = Normalize(remote);
            if (_perAddress.TryGetValue(address, out var count))
            {
                if (count <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = count - 1;
                }
            }
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
