using System.Buffers.Binary;
using GitTorrent.Engine.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Finds the GitTorrent name payloads in a block. A payload is the data of the single push that follows
/// OP_RETURN (direct push, OP_PUSHDATA1, OP_PUSHDATA2 or OP_PUSHDATA4). Every other OP_RETURN is either
/// someone else's (counted in <see cref="BlockNameScan.ForeignOpReturns"/>) or malformed (listed with a reason);
/// nothing in a block makes the scan throw.
/// </summary>
public static class OpReturnExtractor
{
    private const byte OpReturn = 0x6a;
    private const byte OpPushData1 = 0x4c;
    private const byte OpPushData2 = 0x4d;
    private const byte OpPushData4 = 0x4e;

    public static BlockNameScan Extract(Block block, int height)
    {
        ArgumentNullException.ThrowIfNull(block);
        var blockHash = block.GetHash().ToString();
        var entries = new List<NameEntry>();
        var malformed = new List<MalformedOutput>();
        var foreign = 0;
        for (var txIndex = 0; txIndex < block.Transactions.Count; txIndex++)
        {
            var tx = block.Transactions[txIndex];
            string? txid = null; // hashed only for an output that is ours (most OP_RETURNs, e.g. witness commitments, are not)
            for (var vout = 0; vout < tx.Outputs.Count; vout++)
            {
                var script = tx.Outputs[vout].ScriptPubKey.ToBytes(@unsafe: true);
                if (script.Length == 0 || script[0] != OpReturn)
                {
                    continue;
                }
                var position = new NamePosition(height, txIndex, vout);
                var scriptError = TryGetData(script, out var data);
                if (scriptError == OpReturnScriptError.MultiplePushes && !LooksLikeGitTorrent(data.Span))
                {
                    foreign++;
                    continue;
                }
                if (scriptError != OpReturnScriptError.None)
                {
                    malformed.Add(new MalformedOutput(position, txid ??= tx.GetHash().ToString(), scriptError.ToString()));
                    continue;
                }
                if (NamePayload.TryParse(data.Span, out var payload, out var error))
                {
                    entries.Add(new NameEntry(position, txid ??= tx.GetHash().ToString(), blockHash, payload));
                }
                else if (error == NamePayloadError.NotGitTorrent)
                {
                    foreign++;
                }
                else
                {
                    malformed.Add(new MalformedOutput(position, txid ??= tx.GetHash().ToString(), error.ToString()));
                }
            }
        }
        return new BlockNameScan(height, blockHash, block.Header.HashPrevBlock.ToString(), entries, malformed, foreign);
    }

    /// <summary>
    /// Reads the data pushed after OP_RETURN in <paramref name="script"/> (which starts with OP_RETURN).
    /// A bare OP_RETURN gives empty data. On <see cref="OpReturnScriptError.MultiplePushes"/>,
    /// <paramref name="data"/> is the concatenation of the pushes.
    /// </summary>
    public static OpReturnScriptError TryGetData(ReadOnlySpan<byte> script, out ReadOnlyMemory<byte> data)
    {
        data = ReadOnlyMemory<byte>.Empty;
        if (script.IsEmpty || script[0] != OpReturn)
        {
            throw new ArgumentException("The script does not start with OP_RETURN.", nameof(script));
        }
        var pushes = new List<byte[]>(1);
        var at = 1;
        while (at < script.Length)
        {
            var op = script[at++];
            long length;
            switch (op)
            {
                case <= 75:
                    length = op; // OP_0 pushes nothing, 1..75 push that many bytes
                    break;
                case OpPushData1:
                    if (at + 1 > script.Length)
                    {
                        return OpReturnScriptError.TruncatedPush;
                    }
                    length = script[at];
                    at += 1;
                    break;
                case OpPushData2:
                    if (at + 2 > script.Length)
                    {
                        return OpReturnScriptError.TruncatedPush;
                    }
                    length = BinaryPrimitives.ReadUInt16LittleEndian(script[at..]);
                    at += 2;
                    break;
                case OpPushData4:
                    if (at + 4 > script.Length)
                    {
                        return OpReturnScriptError.TruncatedPush;
                    }
                    length = BinaryPrimitives.ReadUInt32LittleEndian(script[at..]);
                    at += 4;
                    break;
                default:
                    return OpReturnScriptError.NotPushOnly;
            }
            if (length > script.Length - at)
            {
                return OpReturnScriptError.TruncatedPush;
            }
            pushes.Add(script.Slice(at, (int)length).ToArray());
            at += (int)length;
        }
        switch (pushes.Count)
        {
            case 0:
                return OpReturnScriptError.None;
            case 1:
                data = pushes[0];
                return OpReturnScriptError.None;
            default:
                data = pushes.SelectMany(p => p).ToArray();
                return OpReturnScriptError.MultiplePushes;
        }
    }

    /// <summary>OP_RETURN followed by one push of <paramref name="payload"/> with the shortest push opcode.</summary>
    public static byte[] BuildScript(ReadOnlySpan<byte> payload)
    {
        var header = payload.Length switch
        {
            <= 75 => new[] { OpReturn, (byte)payload.Length },
            <= 255 => new[] { OpReturn, OpPushData1, (byte)payload.Length },
            <= ushort.MaxValue => new[] { OpReturn, OpPushData2, (byte)payload.Length, (byte)(payload.Length >> 8) },
            _ => throw new ArgumentException("The payload is too long for one OP_RETURN push.", nameof(payload)),
        };
        return [.. header, .. payload];
    }

    private static bool LooksLikeGitTorrent(ReadOnlySpan<byte> data) =>
        data.StartsWith(NamePayload.ClaimPrefix) || data.StartsWith(NamePayload.PreorderPrefix)
        || data.StartsWith(NamePayload.RegisterPrefix);
}
