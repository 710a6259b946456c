using System.Net;
using System.Security.Cryptography;

namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>
/// Write tokens for announce_peer and put (BEP 5, BEP 44): SHA-1 of a secret and the requester's IP,
/// truncated. The secret rotates every <see cref="RotationInterval"/> and the previous one is still
/// accepted, so a token stays valid for 5 to 10 minutes. Stateless per requester: no memory grows.
/// </summary>
internal sealed class TokenManager
{
    /// <summary>BEP 5: "the secret changes every five minutes".</summary>
    public static readonly TimeSpan RotationInterval = TimeSpan.FromMinutes(5);

    /// <summary>Bytes of token sent; 8 is plenty against guessing within 10 minutes.</summary>
    public const int TokenLength = 8;

    private const int SecretLength = 16;

    private readonly TimeProvider _time;
    private byte[] _current = RandomNumberGenerator.GetBytes(SecretLength);
    private byte[] _previous = RandomNumberGenerator.GetBytes(SecretLength);
    private long _rotatedAt;

    public TokenManager(TimeProvider time)
    {
        _time = time;
        _rotatedAt = time.GetTimestamp();
    }

    public byte[] Issue(IPAddress requester)
    {
        RotateIfDue();
        var token = new byte[TokenLength];
        Compute(_current, requester, token);
        return token;
    }

    public bool Check(ReadOnlySpan<byte> token, IPAddress requester)
    {
        RotateIfDue();
        if (token.Length != TokenLength)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[TokenLength];
        Compute(_current, requester, expected);
        if (CryptographicOperations.FixedTimeEquals(expected, token))
        {
            return true;
        }
        Compute(_previous, requester, expected);
        return CryptographicOperations.FixedTimeEquals(expected, token);
    }

    /// <summary>Forces a rotation (tests; normally driven by time).</summary>
    public void Rotate()
    {
        _previous = _current;
        _current = RandomNumberGenerator.GetBytes(SecretLength);
        _rotatedAt = _time.GetTimestamp();
    }

    private void RotateIfDue()
    {
        if (_time.GetElapsedTime(_rotatedAt) >= RotationInterval)
        {
            Rotate();
        }
    }

    private static void Compute(byte[] secret, IPAddress requester, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[SecretLength + 16];
        secret.CopyTo(input);
        var address = requester.IsIPv4MappedToIPv6 ? requester.MapToIPv4() : requester;
        address.TryWriteBytes(input[SecretLength..], out var written);
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(input[..(SecretLength + written)], digest);
        digest[..TokenLength].CopyTo(destination);
    }
}
