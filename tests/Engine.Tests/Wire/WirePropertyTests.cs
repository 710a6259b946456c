using System.Buffers;
using CsCheck;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class WirePropertyTests
{
    [Fact]
    public void Block_requests_round_trip()
    {
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]).Sample((piece, begin, length) =>
        {
            var request = new BlockRequest(piece, begin, length);
            var frame = new byte[17];
            request.EncodeFrame(frame, MessageId.Cancel);
            return BlockRequest.TryDecode(frame.AsSpan(5), out var decoded) && decoded == request;
        }, iter: 1000);
    }

    [Fact]
    public void Handshakes_round_trip()
    {
        Gen.Select(Gen.ULong, Gen.Byte.Array[20], Gen.Byte.Array[20]).Sample((reserved, info, peer) =>
        {
            var handshake = new Handshake(reserved, new Hash20(info), new Hash20(peer));
            var bytes = new byte[Handshake.Length];
            handshake.Encode(bytes);
            return Handshake.TryDecode(bytes, out var decoded) && decoded == handshake;
        }, iter: 500);
    }

    [Fact]
    public void Bitfields_round_trip()
    {
        Gen.Bool.Array[1, 300].Sample(bits =>
        {
            var bitfield = new Bitfield(bits.Length);
            for (var i = 0; i < bits.Length; i++)
            {
                bitfield[i] = bits[i];
            }
            return Bitfield.TryDecode(bitfield.Bytes, bits.Length, out var decoded)
                && decoded.Count == bits.Count(b => b)
                && Enumerable.Range(0, bits.Length).All(i => decoded[i] == bits[i]);
        }, iter: 500);
    }

    /// <summary>However the byte stream is cut into reads, the decoder yields the same frames.</summary>
    [Fact]
    public void Frames_survive_any_segmentation()
    {
        var gen = Gen.Select(Gen.Int[0, 9].Select(i => (MessageId)i), Gen.Byte.Array[0, 40]).List[1, 20]
            .SelectMany(frames => Gen.Int[1, 64].Select(chunk => (frames, chunk)));
        gen.Sample(t =>
        {
            var (frames, chunk) = t;
            var stream = new List<byte>();
            foreach (var (id, payload) in frames)
            {
                stream.AddRange(ScriptedPeer.Message(id, payload));
            }
            var bytes = stream.ToArray();
            var decoded = new List<(MessageId, byte[])>();
            var pending = new List<byte>();
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                pending.AddRange(bytes.Skip(offset).Take(chunk));
                var buffer = new ReadOnlySequence<byte>(pending.ToArray());
                while (FrameDecoder.TryReadFrame(ref buffer, out var frame) == FrameStatus.Frame)
                {
                    decoded.Add((frame.Id, frame.Payload.ToArray()));
                }
                pending = [.. buffer.ToArray()];
            }
            return pending.Count == 0 && decoded.Count == frames.Count
                && decoded.Zip(frames).All(p => p.First.Item1 == p.Second.Item1 && p.First.Item2.SequenceEqual(p.Second.Item2));
        }, iter: 300);
    }
}
