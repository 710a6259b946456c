using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire;

/// <summary>One queued message for the send loop.</summary>
internal readonly record struct Outgoing(OutgoingKind Kind, MessageId Id, BlockRequest Block, ReadOnlyMemory<byte> Payload,
    byte ExtendedId);
