using System.Buffers;
using System.Buffers.Binary;
using GitTorrent.Engine;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// The peer wire byte stream after the handshake (BEP 3): <see cref="FrameDecoder"/> over the stream cut into chunks
/// (the first input byte chooses their size), then each frame's payload codec by its id. Bad input is
/// <see cref="FrameStatus.TooLong"/> or a false TryDecode. A frame must respect the length limits and consume exactly
/// its length; a decoded request, have or port must encode back to the frame it came from.
/// </summary>
public static class WireTarget
{
    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        var buffer = ChunkedSequence.Create(input.AsMemory(1), 1 + (input[0] % 64));
        while (true)
        {
            var before = buffer.Length;
            var status = FrameDecoder.TryReadFrame(ref buffer, out var frame);
            if (status == FrameStatus.TooLong)
            {
                return;
            }
            if (status == FrameStatus.Incomplete)
            {
                FuzzInvariantException.Check(buffer.Length == before, "an incomplete frame consumed bytes");
                return;
            }
            var payload = frame.Payload.ToArray();
            if (frame.IsKeepAlive)
            {
                FuzzInvariantException.Check(before - buffer.Length == 4 && payload.Length == 0, "a keep-alive is not 4 bytes");
                continue;
            }
            FuzzInvariantException.Check(before - buffer.Length == 5 + payload.Length, "a frame consumed other than its length");
            FuzzInvariantException.Check(payload.Length + 1 <= (frame.Id == MessageId.Piece ? WireLimits.MaxPieceMessageLength : WireLimits.MaxOtherMessageLength),
                "a frame over the length limit was accepted");
            DecodePayload(frame.Id, payload);
        }
    }

    private static void DecodePayload(MessageId id, byte[] payload)
    {
        var frame = new byte[5 + BlockRequest.PayloadLength];
        switch (id)
        {
            case MessageId.Have when SimpleMessages.TryDecodeHave(payload, out var piece):
                FuzzInvariantException.Check(SimpleMessages.EncodeHave(frame, piece) == SimpleMessages.HaveFrameLength
                    && frame.AsSpan(5, 4).SequenceEqual(payload), "have does not encode back");
                break;
            case MessageId.Request or MessageId.Cancel when BlockRequest.TryDecode(payload, out var request):
                request.EncodeFrame(frame, id);
                FuzzInvariantException.Check(frame.AsSpan(5).SequenceEqual(payload), "request or cancel does not encode back");
                break;
            case MessageId.Piece when PieceMessageHeader.TryDecode(payload, out var header):
                header.EncodeFrameHeader(frame, payload.Length - PieceMessageHeader.PayloadHeaderLength);
                FuzzInvariantException.Check(frame.AsSpan(5, PieceMessageHeader.PayloadHeaderLength).SequenceEqual(payload.AsSpan(0, PieceMessageHeader.PayloadHeaderLength))
                    && BinaryPrimitives.ReadUInt32BigEndian(frame) == 1 + payload.Length, "piece header does not encode back");
                break;
            case MessageId.Port when SimpleMessages.TryDecodePort(payload, out var port):
                SimpleMessages.EncodePort(frame, port);
                FuzzInvariantException.Check(frame.AsSpan(5, 2).SequenceEqual(payload), "port does not encode back");
                break;
            case MessageId.Bitfield when payload.Length > 0:
                // Every piece count the bytes could stand for: the byte count must match and the spare bits be clear.
                var bits = (payload.Length * 8) - (payload[0] % 8);
                if (Bitfield.TryDecode(payload, bits, out var bitfield))
                {
                    FuzzInvariantException.Check(bitfield.Length == bits && bitfield.Bytes.SequenceEqual(payload), "bitfield does not keep its bytes");
                }
                break;
        }
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var stream = new List<byte> { 7 }; // chunks of 8 bytes
        var frame = new byte[64];
        void Add(int length) => stream.AddRange(frame.AsSpan(0, length).ToArray());
        Add(SimpleMessages.EncodeKeepAlive(frame));
        Add(SimpleMessages.EncodeNoPayload(frame, MessageId.Unchoke));
        Add(SimpleMessages.EncodeHave(frame, 17));
        Add(new BlockRequest(3, 16384, 16384).EncodeFrame(frame, MessageId.Request));
        Add(new BlockRequest(3, 0, 16384).EncodeFrame(frame, MessageId.Cancel));
        Add(SimpleMessages.EncodePort(frame, 6881));
        var headerLength = SimpleMessages.EncodeBitfieldHeader(frame, 2);
        frame[headerLength] = 0xff;
        frame[headerLength + 1] = 0xc0;
        Add(headerLength + 2);
        var pieceLength = new PieceMessageHeader(3, 0).EncodeFrameHeader(frame, 4);
        "data"u8.CopyTo(frame.AsSpan(pieceLength));
        Add(pieceLength + 4);
        var extended = "d1:md11:ut_metadatai2eee"u8;
        var extendedLength = SimpleMessages.EncodeExtendedHeader(frame, 0, extended.Length);
        extended.CopyTo(frame.AsSpan(extendedLength));
        Add(extendedLength + extended.Length);
        yield return [.. stream];
        yield return [0, .. Hash20.Sha1("x"u8).ToArray()]; // an incomplete frame
    }
}
