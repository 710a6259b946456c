using System.Buffers;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class MessageCodecTests
{
    private static readonly Hash20 InfoHash = Hash20.Parse("0102030405060708090a0b0c0d0e0f1011121314");
    private static readonly Hash20 PeerId = Hash20.Parse("2d4754303030312d000102030405060708090a0b");

    [Fact]
    public void Handshake_encodes_to_bep3_layout()
    {
        var expected = new byte[68];
        expected[0] = 19;
        "BitTorrent protocol"u8.CopyTo(expected.AsSpan(1));
        expected[25] = 0x10; // reserved byte 5: extension protocol (BEP 10)
        expected[27] = 0x01; // reserved byte 7: DHT (BEP 5)
        InfoHash.CopyTo(expected.AsSpan(28));
        PeerId.CopyTo(expected.AsSpan(48));

        var actual = new byte[68];
        var written = new Handshake(Handshake.ExtensionProtocolBit | Handshake.DhtBit, InfoHash, PeerId).Encode(actual);

        Assert.Equal(68, written);
        Assert.Equal(expected, actual);
        Assert.True(Handshake.TryDecode(expected, out var decoded));
        Assert.True(decoded.SupportsExtensions);
        Assert.Equal(InfoHash, decoded.InfoHash);
        Assert.Equal(PeerId, decoded.PeerId);
    }

    [Fact]
    public void Handshake_rejects_other_protocols_and_short_input()
    {
        var bytes = new byte[68];
        new Handshake(0, InfoHash, PeerId).Encode(bytes);
        Assert.False(Handshake.TryDecode(bytes.AsSpan(0, 67), out _));
        bytes[5] = (byte)'X';
        Assert.False(Handshake.TryDecode(bytes, out _));
        bytes[0] = 18;
        Assert.False(Handshake.TryDecode(bytes, out _));
    }

    [Fact]
    public void Request_and_cancel_frames_match_hand_built_bytes()
    {
        byte[] request = [0, 0, 0, 13, 6, 0, 0, 0, 7, 0, 0, 0x40, 0, 0, 0, 0x40, 0];
        byte[] cancel = [0, 0, 0, 13, 8, 0, 0, 0, 7, 0, 0, 0x40, 0, 0, 0, 0x40, 0];
        var block = new BlockRequest(7, 16384, 16384);
        var buffer = new byte[17];

        Assert.Equal(17, block.EncodeFrame(buffer, MessageId.Request));
        Assert.Equal(request, buffer);
        block.EncodeFrame(buffer, MessageId.Cancel);
        Assert.Equal(cancel, buffer);
        Assert.True(BlockRequest.TryDecode(request.AsSpan(5), out var decoded));
        Assert.Equal(block, decoded);
        Assert.False(BlockRequest.TryDecode(request.AsSpan(5, 11), out _));
        Assert.False(BlockRequest.TryDecode([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0], out _));
    }

    [Fact]
    public void Piece_header_matches_hand_built_bytes()
    {
        byte[] expected = [0, 0, 0, 12, 7, 0, 0, 1, 0, 0, 0, 0x80, 0];
        var buffer = new byte[13];
        Assert.Equal(13, new PieceMessageHeader(256, 32768).EncodeFrameHeader(buffer, 3));
        Assert.Equal(expected, buffer);
        Assert.True(PieceMessageHeader.TryDecode(expected.AsSpan(5), out var header));
        Assert.Equal(new PieceMessageHeader(256, 32768), header);
        Assert.False(PieceMessageHeader.TryDecode(expected.AsSpan(5, 7), out _));
    }

    [Fact]
    public void Simple_messages_match_hand_built_bytes()
    {
        var buffer = new byte[16];
        Assert.Equal(4, SimpleMessages.EncodeKeepAlive(buffer));
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, buffer[..4]);
        foreach (var (id, value) in new[] { (MessageId.Choke, 0), (MessageId.Unchoke, 1), (MessageId.Interested, 2), (MessageId.NotInterested, 3) })
        {
            Assert.Equal(5, SimpleMessages.EncodeNoPayload(buffer, id));
            Assert.Equal(new byte[] { 0, 0, 0, 1, (byte)value }, buffer[..5]);
        }
        Assert.Equal(9, SimpleMessages.EncodeHave(buffer, 0x01020304));
        Assert.Equal(new byte[] { 0, 0, 0, 5, 4, 1, 2, 3, 4 }, buffer[..9]);
        Assert.True(SimpleMessages.TryDecodeHave(buffer.AsSpan(5, 4), out var piece));
        Assert.Equal(0x01020304, piece);
        Assert.False(SimpleMessages.TryDecodeHave(buffer.AsSpan(5, 3), out _));
        Assert.Equal(7, SimpleMessages.EncodePort(buffer, 6881));
        Assert.Equal(new byte[] { 0, 0, 0, 3, 9, 0x1a, 0xe1 }, buffer[..7]);
        Assert.True(SimpleMessages.TryDecodePort(buffer.AsSpan(5, 2), out var port));
        Assert.Equal(6881, port);
        Assert.Equal(5, SimpleMessages.EncodeBitfieldHeader(buffer, 3));
        Assert.Equal(new byte[] { 0, 0, 0, 4, 5 }, buffer[..5]);
        Assert.Equal(6, SimpleMessages.EncodeExtendedHeader(buffer, 3, 10));
        Assert.Equal(new byte[] { 0, 0, 0, 12, 20, 3 }, buffer[..6]);
    }

    [Fact]
    public void Frame_decoder_reads_frames_and_keep_alives()
    {
        byte[] bytes = [0, 0, 0, 0, 0, 0, 0, 5, 4, 0, 0, 0, 9, 0, 0, 0, 1, 1];
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(FrameStatus.Frame, FrameDecoder.TryReadFrame(ref buffer, out var keepAlive));
        Assert.True(keepAlive.IsKeepAlive);
        Assert.Equal(FrameStatus.Frame, FrameDecoder.TryReadFrame(ref buffer, out var have));
        Assert.Equal(MessageId.Have, have.Id);
        Assert.Equal(new byte[] { 0, 0, 0, 9 }, have.Payload.ToArray());
        Assert.Equal(FrameStatus.Frame, FrameDecoder.TryReadFrame(ref buffer, out var unchoke));
        Assert.Equal(MessageId.Unchoke, unchoke.Id);
        Assert.Equal(0, unchoke.Payload.Length);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Frame_decoder_waits_for_incomplete_frames_without_consuming()
    {
        byte[] bytes = [0, 0, 0, 5, 4, 0, 0];
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref buffer, out _));
        Assert.Equal(7, buffer.Length);
        var head = new ReadOnlySequence<byte>(bytes.AsMemory(0, 3));
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref head, out _));
    }

    [Fact]
    public void Frame_decoder_rejects_lengths_over_the_limits_before_the_payload_arrives()
    {
        // A piece message may carry at most one 16 KiB block (16384 + 9).
        var tooBigPiece = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0x40, 0x0a, 7 });
        Assert.Equal(FrameStatus.TooLong, FrameDecoder.TryReadFrame(ref tooBigPiece, out _));
        var maxPiece = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0x40, 0x09, 7 });
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref maxPiece, out _));
        // Anything else at most 1 MiB; the check needs only the length prefix.
        var huge = new ReadOnlySequence<byte>(new byte[] { 0, 0x10, 0, 1 });
        Assert.Equal(FrameStatus.TooLong, FrameDecoder.TryReadFrame(ref huge, out _));
        var max = new ReadOnlySequence<byte>(new byte[] { 0, 0x10, 0, 0, 20 });
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref max, out _));
        var negative = new ReadOnlySequence<byte>(new byte[] { 0xff, 0xff, 0xff, 0xff });
        Assert.Equal(FrameStatus.TooLong, FrameDecoder.TryReadFrame(ref negative, out _));
    }

    [Fact]
    public void Frame_decoder_handles_frames_split_across_segments()
    {
        var first = new Segment(new byte[] { 0, 0 });
        var last = first.Append(new byte[] { 0, 13, 6, 0, 0, 0, 1 }).Append(new byte[] { 0, 0, 0, 0, 0, 0, 0x40, 0 });
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(FrameStatus.Frame, FrameDecoder.TryReadFrame(ref buffer, out var frame));
        Assert.Equal(MessageId.Request, frame.Id);
        Assert.True(BlockRequest.TryDecode(frame.Payload.ToArray(), out var request));
        Assert.Equal(new BlockRequest(1, 0, 16384), request);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
