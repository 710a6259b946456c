using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>Peer wire message ids (BEP 3; <see cref="Port"/> from BEP 5, <see cref="Extended"/> from BEP 10).</summary>
public enum MessageId : byte
{
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,
    Port = 9,
    Extended = 20,
}
