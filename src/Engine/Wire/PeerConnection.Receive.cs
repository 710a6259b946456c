using System.Buffers;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Engine.Wire;

public sealed partial class PeerConnection
{
    /// <summary>
    /// Reads frames until the connection ends, handing each to <paramref name="handler"/> (the frame's payload is only
    /// valid until the returned task completes). A length over the limits throws <see cref="ProtocolViolationException"/>.
    /// </summary>
    internal async Task RunReceiveLoopAsync(Func<PeerConnection, Frame, ValueTask> handler, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var received = false;
                while (true)
                {
                    var status = FrameDecoder.TryReadFrame(ref buffer, out var frame);
                    if (status == FrameStatus.TooLong)
                    {
                        throw new ProtocolViolationException("Message length over the limit.");
                    }
                    if (status == FrameStatus.Incomplete)
                    {
                        break;
                    }
                    received = true;
                    var pending = handler(this, frame);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        await pending.ConfigureAwait(false);
                    }
                }
                if (received)
                {
                    LastReceived = TimeProvider.GetTimestamp();
                }
                Reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Copies a payload out of the pipe when a handler needs it beyond the frame's lifetime.</summary>
    internal static byte[] CopyPayload(in ReadOnlySequence<byte> payload) => payload.ToArray();
}
