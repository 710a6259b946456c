namespace GitTorrent.Engine.Fetch;

/// <summary>
/// Decides once, when a pack download learns its size, whether the pack may be stored: not above the node's
/// <see cref="GitTorrentNodeOptions.MaxPackBytes"/>, and only with a reservation from the caller's quota
/// (<see cref="SwarmFetchOptions.ReservePackSpace"/>). A refusal cancels the download; the reservation is released on dispose.
/// </summary>
internal sealed class PackSizeGate(long maxBytes, Func<long, IDisposable?>? reserve, CancellationTokenSource download) : IDisposable
{
    private readonly Lock _gate = new();
    private bool _decided;
    private IDisposable? _reservation;

    /// <summary>Why the pack was refused, once it was.</summary>
    public string? Refusal { get; private set; }

    /// <summary>True when the pack of <paramref name="bytes"/> may be stored (decided on the first call).</summary>
    public bool Admit(long bytes)
    {
        lock (_gate)
        {
            if (!_decided)
            {
                _decided = true;
                if (bytes > maxBytes)
                {
                    Refusal = $"the pack is {bytes} bytes, more than the limit of {maxBytes} bytes";
                }
                else if (reserve is not null && (_reservation = reserve(bytes)) is null)
                {
                    Refusal = $"the pack of {bytes} bytes does not fit in the download quota";
                }
            }
            if (Refusal is null)
            {
                return true;
            }
        }
        try
        {
            download.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The download ended already.
        }
        return false;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _reservation?.Dispose();
            _reservation = null;
        }
    }
}
