namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>BEP 9 <c>msg_type</c>.</summary>
public enum UtMetadataMessageType
{
    Request = 0,
    Data = 1,
    Reject = 2,
}
