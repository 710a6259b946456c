using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// Name payloads on the chain (PROTOCOL.md section 5): the input is an output script, read by
/// <see cref="OpReturnExtractor.TryGetData"/> and <see cref="NamePayload.TryParse(ReadOnlySpan{byte}, out NameEntryPayload, out NamePayloadError)"/>
/// and, in a block of one transaction, by <see cref="OpReturnExtractor.Extract"/>. Bad input is an
/// <see cref="OpReturnScriptError"/> or a <see cref="NamePayloadError"/>: nothing in a block may make the scan throw. A
/// payload that parses must encode back to its bytes, and the scan must find it as the one entry of the block.
/// </summary>
public static class OpReturnTarget
{
    public static void Run(byte[] input)
    {
        var parsed = false;
        if (input.Length > 0 && input[0] == 0x6a && OpReturnExtractor.TryGetData(input, out var data) == OpReturnScriptError.None
            && NamePayload.TryParse(data.Span, out var payload, out _))
        {
            parsed = true;
            FuzzInvariantException.Check(NamePayload.Encode(payload).AsSpan().SequenceEqual(data.Span), "a name payload does not encode back");
        }
        var block = Network.RegTest.Consensus.ConsensusFactory.CreateBlock();
        var transaction = Network.RegTest.CreateTransaction();
        transaction.Outputs.Add(Money.Zero, Script.FromBytesUnsafe(input));
        block.Transactions.Add(transaction);
        var scan = OpReturnExtractor.Extract(block, height: 1);
        FuzzInvariantException.Check(scan.Entries.Count == (parsed ? 1 : 0) && scan.Entries.Count + scan.Malformed.Count + scan.ForeignOpReturns <= 1,
            "the block scan disagrees with the payload parser");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var keyHash = Hash20.Sha1("key"u8);
        var salt = new byte[NamePayload.SaltLength];
        yield return OpReturnExtractor.BuildScript(NamePayload.EncodeClaim("alice", keyHash));
        yield return OpReturnExtractor.BuildScript(NamePayload.EncodePreorder("alice", keyHash, salt));
        yield return OpReturnExtractor.BuildScript(NamePayload.EncodeRegister("a-much-longer-name-of-32-letters", keyHash, salt));
        yield return [0x6a, 0x4c, 0x03, .. "gt?"u8, 0x01, 0x00];
    }
}
