namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>Error codes carried in KRPC "e" messages.</summary>
public static class KrpcErrorCode
{
    /// <summary>BEP 5: generic error.</summary>
    public const int Generic = 201;

    /// <summary>BEP 5: server error.</summary>
    public const int Server = 202;

    /// <summary>BEP 5: protocol error (malformed packet, invalid arguments, bad token).</summary>
    public const int Protocol = 203;

    /// <summary>BEP 5: method unknown.</summary>
    public const int MethodUnknown = 204;

    /// <summary>BEP 44: message (v field) too big.</summary>
    public const int MessageTooBig = 205;

    /// <summary>BEP 44: invalid signature.</summary>
    public const int InvalidSignature = 206;

    /// <summary>BEP 44: salt (salt field) too big.</summary>
    public const int SaltTooBig = 207;

    /// <summary>BEP 44: the CAS hash mismatched, re-read value and try again.</summary>
    public const int CasMismatch = 301;

    /// <summary>BEP 44: sequence number less than current.</summary>
    public const int SequenceTooLow = 302;
}
