using System.Buffers;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>One length-prefixed message; <see cref="Payload"/> excludes the id byte and is a slice of the pipe's buffer.</summary>
public readonly record struct Frame(bool IsKeepAlive, MessageId Id, ReadOnlySequence<byte> Payload);
