using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire;

internal enum OutgoingKind : byte
{
    KeepAlive,
    Simple,
    Have,
    Bitfield,
    Request,
    Cancel,
    Upload,
    Extended,
}
