using System.Security.Cryptography;
using System.Text;

namespace GitTorrent.Engine.Names;

/// <summary>
/// Sans-IO codec for the username payloads of docs/PROTOCOL.md section 5. A payload is the data of one
/// OP_RETURN output (the bytes pushed after OP_RETURN, without the script opcodes).
/// </summary>
public static class NamePayload
{
    /// <summary>The data of one OP_RETURN output is at most 80 bytes (section 5; Bitcoin Core's -datacarriersize).</summary>
    public const int MaxPayloadLength = 80;

    public const int MaxNameLength = 32;

    public const int SaltLength = 16;

    public const int CommitmentLength = 20;

    /// <summary>SHA-256 truncated to 20 bytes for C, keyhash as SHA-1 of the ed25519 key (section 3).</summary>
    public const int KeyHashLength = Hash20.Length;

    /// <summary><c>gt?</c> ‖ C.</summary>
    public const int PreorderLength = 3 + CommitmentLength;

    /// <summary><c>gt!</c> ‖ keyhash ‖ salt, before the 1..32 name bytes.</summary>
    public const int RegisterFixedLength = 3 + KeyHashLength + SaltLength;

    /// <summary>The longest name whose CLAIM still fits in 80 bytes: 80 - len("@gittorrent!") - 1 - 40.</summary>
    public const int MaxClaimNameLength = MaxPayloadLength - 12 - 1 - 40;

    public static ReadOnlySpan<byte> ClaimPrefix => "@gittorrent!"u8;

    public static ReadOnlySpan<byte> PreorderPrefix => "gt?"u8;

    public static ReadOnlySpan<byte> RegisterPrefix => "gt!"u8;

    private static ReadOnlySpan<byte> CommitmentDomain => "gittorrent"u8;

    /// <summary>
    /// Decodes one OP_RETURN payload. Returns false with <see cref="NamePayloadError.NotGitTorrent"/> for
    /// payloads that are not ours, and with another reason for ours that break the format.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> opReturnData, out NameEntryPayload payload, out NamePayloadError error)
    {
        payload = null!;
        NameEntryKind kind;
        if (opReturnData.StartsWith(ClaimPrefix))
        {
            kind = NameEntryKind.Claim;
        }
        else if (opReturnData.StartsWith(PreorderPrefix))
        {
            kind = NameEntryKind.Preorder;
        }
        else if (opReturnData.StartsWith(RegisterPrefix))
        {
            kind = NameEntryKind.Register;
        }
        else
        {
            error = NamePayloadError.NotGitTorrent;
            return false;
        }
        if (opReturnData.Length > MaxPayloadLength)
        {
            error = NamePayloadError.TooLong;
            return false;
        }
        error = kind switch
        {
            NameEntryKind.Claim => ParseClaim(opReturnData[ClaimPrefix.Length..], out payload),
            NameEntryKind.Preorder => ParsePreorder(opReturnData, out payload),
            _ => ParseRegister(opReturnData, out payload),
        };
        return error == NamePayloadError.None;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, out NameEntryPayload, out NamePayloadError)"/>
    public static bool TryParse(ReadOnlySpan<byte> opReturnData, out NameEntryPayload payload) =>
        TryParse(opReturnData, out payload, out _);

    private static NamePayloadError ParseClaim(ReadOnlySpan<byte> rest, out NameEntryPayload payload)
    {
        payload = null!;
        var bang = rest.IndexOf((byte)'!');
        if (bang < 0)
        {
            return NamePayloadError.MissingSeparator;
        }
        var name = rest[..bang];
        if (!IsValidName(name))
        {
            return NamePayloadError.InvalidName;
        }
        var hex = rest[(bang + 1)..];
        if (!IsLowerHex(hex, 2 * KeyHashLength))
        {
            return NamePayloadError.BadKeyHash;
        }
        Span<byte> keyHash = stackalloc byte[KeyHashLength];
        Convert.FromHexString(Encoding.ASCII.GetString(hex), keyHash, out _, out _);
        payload = NameEntryPayload.Claim(Encoding.ASCII.GetString(name), new Hash20(keyHash));
        return NamePayloadError.None;
    }

    private static NamePayloadError ParsePreorder(ReadOnlySpan<byte> data, out NameEntryPayload payload)
    {
        payload = null!;
        if (data.Length != PreorderLength)
        {
            return NamePayloadError.BadLength;
        }
        payload = NameEntryPayload.Preorder(new Hash20(data[3..]));
        return NamePayloadError.None;
    }

    private static NamePayloadError ParseRegister(ReadOnlySpan<byte> data, out NameEntryPayload payload)
    {
        payload = null!;
        var nameLength = data.Length - RegisterFixedLength;
        if (nameLength is < 1 or > MaxNameLength)
        {
            return NamePayloadError.BadLength;
        }
        var name = data[RegisterFixedLength..];
        if (!IsValidName(name))
        {
            return NamePayloadError.InvalidName;
        }
        var keyHash = new Hash20(data.Slice(3, KeyHashLength));
        var salt = data.Slice(3 + KeyHashLength, SaltLength);
        payload = NameEntryPayload.Register(Encoding.ASCII.GetString(name), keyHash, salt);
        return NamePayloadError.None;
    }

    /// <summary>C = first 20 bytes of SHA-256( UTF-8 "gittorrent" ‖ name ‖ 0x00 ‖ keyhash ‖ salt ).</summary>
    public static Hash20 ComputeCommitment(string name, Hash20 keyHash, ReadOnlySpan<byte> salt)
    {
        ThrowIfInvalidName(name);
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"The salt must be {SaltLength} bytes, got {salt.Length}.", nameof(salt));
        }
        // Fixed upper bound: 10 + 32 + 1 + 20 + 16 bytes.
        Span<byte> input = stackalloc byte[CommitmentDomain.Length + MaxNameLength + 1 + KeyHashLength + SaltLength];
        var at = 0;
        CommitmentDomain.CopyTo(input);
        at += CommitmentDomain.Length;
        at += Encoding.ASCII.GetBytes(name, input[at..]);
        input[at++] = 0x00;
        keyHash.CopyTo(input[at..]);
        at += KeyHashLength;
        salt.CopyTo(input[at..]);
        at += SaltLength;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..at], digest);
        return new Hash20(digest[..CommitmentLength]);
    }

    /// <summary>ASCII <c>@gittorrent!&lt;name&gt;!&lt;keyhash hex&gt;</c>; names over 27 characters do not fit.</summary>
    public static byte[] EncodeClaim(string name, Hash20 keyHash)
    {
        ThrowIfInvalidName(name);
        if (name.Length > MaxClaimNameLength)
        {
            throw new ArgumentException(
                $"A CLAIM fits names up to {MaxClaimNameLength} characters; '{name}' has {name.Length}. Use preorder/register.",
                nameof(name));
        }
        return Encoding.ASCII.GetBytes($"@gittorrent!{name}!{keyHash}");
    }

    public static byte[] EncodePreorder(Hash20 commitment)
    {
        var bytes = new byte[PreorderLength];
        PreorderPrefix.CopyTo(bytes);
        commitment.CopyTo(bytes.AsSpan(3));
        return bytes;
    }

    public static byte[] EncodePreorder(string name, Hash20 keyHash, ReadOnlySpan<byte> salt) =>
        EncodePreorder(ComputeCommitment(name, keyHash, salt));

    public static byte[] EncodeRegister(string name, Hash20 keyHash, ReadOnlySpan<byte> salt)
    {
        ThrowIfInvalidName(name);
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"The salt must be {SaltLength} bytes, got {salt.Length}.", nameof(salt));
        }
        var bytes = new byte[RegisterFixedLength + name.Length];
        RegisterPrefix.CopyTo(bytes);
        keyHash.CopyTo(bytes.AsSpan(3));
        salt.CopyTo(bytes.AsSpan(3 + KeyHashLength));
        Encoding.ASCII.GetBytes(name, bytes.AsSpan(RegisterFixedLength));
        return bytes;
    }

    /// <summary>The bytes <see cref="TryParse(ReadOnlySpan{byte}, out NameEntryPayload)"/> decodes back to <paramref name="payload"/>.</summary>
    public static byte[] Encode(NameEntryPayload payload) => payload.Kind switch
    {
        NameEntryKind.Claim => EncodeClaim(payload.Name!, payload.KeyHash!.Value),
        NameEntryKind.Preorder => EncodePreorder(payload.Commitment!.Value),
        _ => EncodeRegister(payload.Name!, payload.KeyHash!.Value, payload.Salt.Span),
    };

    /// <summary>True if <paramref name="name"/> matches <c>^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$</c>.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.Length is < 1 or > MaxNameLength || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }
        foreach (var ch in name)
        {
            if (ch is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc cref="IsValidName(ReadOnlySpan{char})"/>
    public static bool IsValidName(ReadOnlySpan<byte> name)
    {
        if (name.Length is < 1 or > MaxNameLength || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }
        foreach (var b in name)
        {
            if (b is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-'))
            {
                return false;
            }
        }
        return true;
    }

    internal static void ThrowIfInvalidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name.AsSpan()))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid name: 1 to 32 of a-z, 0-9 and '-', not starting or ending with '-'.", nameof(name));
        }
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }
        foreach (var b in text)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }
        return true;
    }
}
