using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Tests.Names;

/// <summary>Hand-built regtest blocks with chosen OP_RETURN scripts (not mined: only hashes and layout matter here).</summary>
public static class TestBlocks
{
    private static readonly Network Net = Network.RegTest;

    /// <summary>A block on <paramref name="previous"/> whose transactions carry the given output scripts (tx 0 is a coinbase).</summary>
    public static Block Create(uint256 previous, int height, uint branch, params byte[][][] transactions)
    {
        var block = Net.Consensus.ConsensusFactory.CreateBlock();
        block.Header.HashPrevBlock = previous;
        block.Header.BlockTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(height);
        block.Header.Nonce = branch;
        block.Header.Bits = Net.GetGenesis().Header.Bits;
        var coinbase = Net.CreateTransaction();
        coinbase.Inputs.Add(new TxIn(new OutPoint(), new Script(Op.GetPushOp(height), Op.GetPushOp(branch))));
        coinbase.Outputs.Add(Money.Coins(50), new Key().PubKey.WitHash.ScriptPubKey);
        block.AddTransaction(coinbase);
        var n = 0;
        foreach (var outputs in transactions)
        {
            var tx = Net.CreateTransaction();
            tx.Inputs.Add(new TxIn(new OutPoint(new uint256((ulong)(height * 1000 + n++ + branch * 1_000_000)), 0)));
            foreach (var script in outputs)
            {
                tx.Outputs.Add(Money.Zero, Script.FromBytesUnsafe(script));
            }
            block.AddTransaction(tx);
        }
        block.UpdateMerkleRoot();
        return block;
    }

    public static byte[] OpReturn(byte[] payload) => OpReturnExtractor.BuildScript(payload);

    /// <summary>A chain of <paramref name="count"/> blocks from a fresh genesis; <paramref name="contents"/> gives each height's transactions.</summary>
    public static InMemoryBlockSource Chain(int count, Func<int, byte[][][]>? contents = null)
    {
        var source = new InMemoryBlockSource();
        source.Add(Net.GetGenesis());
        Extend(source, count - 1, branch: 0, contents);
        return source;
    }

    public static void Extend(InMemoryBlockSource source, int count, uint branch, Func<int, byte[][][]>? contents = null)
    {
        for (var i = 0; i < count; i++)
        {
            var height = source.Chain.Count;
            var previous = source.Chain[^1].GetHash();
            source.Add(Create(previous, height, branch, contents?.Invoke(height) ?? []));
        }
    }
}
