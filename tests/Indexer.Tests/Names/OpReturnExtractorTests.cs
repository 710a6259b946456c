using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Tests.Names;

public sealed class OpReturnExtractorTests
{
    private static readonly Hash20 Key = Hash20.Parse("81e24205d4bac8496d3e13282c90ead5045f09ea");
    private static readonly byte[] Salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] P2wpkh = new Key().PubKey.WitHash.ScriptPubKey.ToBytes();

    private static BlockNameScan Scan(params byte[][][] transactions) =>
        OpReturnExtractor.Extract(TestBlocks.Create(uint256.One, 7, 0, transactions), 7);

    [Fact]
    public void Finds_entries_with_positions_across_transactions_and_outputs()
    {
        var claim = NamePayload.EncodeClaim("cjb", Key);
        var preorder = NamePayload.EncodePreorder("alice", Key, Salt);
        var register = NamePayload.EncodeRegister("alice", Key, Salt);
        var block = TestBlocks.Create(uint256.One, 7, 0,
            [P2wpkh, TestBlocks.OpReturn(claim)],
            [TestBlocks.OpReturn(preorder), P2wpkh, TestBlocks.OpReturn(register)]);
        var scan = OpReturnExtractor.Extract(block, 7);

        Assert.Equal(block.GetHash().ToString(), scan.BlockHash);
        Assert.Equal(uint256.One.ToString(), scan.PreviousBlockHash);
        Assert.Equal(3, scan.Entries.Count);
        Assert.Equal(new NamePosition(7, 1, 1), scan.Entries[0].Position);
        Assert.Equal(NameEntryKind.Claim, scan.Entries[0].Kind);
        Assert.Equal(block.Transactions[1].GetHash().ToString(), scan.Entries[0].Txid);
        Assert.Equal(new NamePosition(7, 2, 0), scan.Entries[1].Position);
        Assert.Equal(NameEntryKind.Preorder, scan.Entries[1].Kind);
        Assert.Equal(new NamePosition(7, 2, 2), scan.Entries[2].Position);
        Assert.Equal(NameEntryKind.Register, scan.Entries[2].Kind);
        Assert.Equal(scan.Entries[1].Commitment, scan.Entries[2].Commitment);
        Assert.All(scan.Entries, e => Assert.Equal(scan.BlockHash, e.BlockHash));
        Assert.Empty(scan.Malformed);
    }

    [Fact]
    public void Reads_pushdata1_pushdata2_and_pushdata4()
    {
        var claim = NamePayload.EncodeClaim(new string('q', 27), Key); // 80 bytes: needs OP_PUSHDATA1
        Assert.Equal(80, claim.Length);
        var built = TestBlocks.OpReturn(claim);
        Assert.Equal(new byte[] { 0x6a, 0x4c, 80 }, built[..3]);
        var preorder = NamePayload.EncodePreorder("alice", Key, Salt);
        byte[] pushData2 = [0x6a, 0x4d, (byte)preorder.Length, 0x00, .. preorder];
        byte[] pushData4 = [0x6a, 0x4e, (byte)preorder.Length, 0x00, 0x00, 0x00, .. preorder];
        byte[] pushData1Small = [0x6a, 0x4c, (byte)preorder.Length, .. preorder];

        var scan = Scan([built], [pushData2], [pushData4], [pushData1Small]);
        Assert.Equal(4, scan.Entries.Count);
        Assert.Equal(new string('q', 27), scan.Entries[0].Name);
        Assert.All(scan.Entries.Skip(1), e => Assert.Equal(NameEntryKind.Preorder, e.Kind));
    }

    [Fact]
    public void Counts_junk_and_malformed_payloads_without_throwing()
    {
        var preorder = NamePayload.EncodePreorder("alice", Key, Salt);
        byte[][][] txs =
        [
            [[0x6a, 0x51]],                                   // OP_RETURN OP_1: not a data push
            [[0x6a, 0x05, 0x01, 0x02]],                       // push of 5 with 2 bytes left
            [[0x6a, 0x4c]],                                   // OP_PUSHDATA1 without its length
            [[0x6a, 0x4d, 0x01]],                             // OP_PUSHDATA2 with half a length
            [[0x6a, 0x4e, 0xff, 0xff, 0xff, 0xff, 0x00]],     // OP_PUSHDATA4 claiming 4 GiB
            [[0x6a, 0x03, .. "gt?"u8, 0x14, .. preorder[3..]]], // our prefix split over two pushes
            [TestBlocks.OpReturn(Encoding.ASCII.GetBytes("@gittorrent!Bad!81e24205d4bac8496d3e13282c90ead5045f09ea"))],
            [TestBlocks.OpReturn([.. preorder, 0x00])],
            [TestBlocks.OpReturn(Encoding.ASCII.GetBytes("@gittorrent!cjb"))],
            [[0x6a]],                                         // bare OP_RETURN: someone else's (empty)
            [[0x6a, 0x00]],                                   // OP_RETURN OP_0
            [TestBlocks.OpReturn(Encoding.ASCII.GetBytes("omni and friends"))],
            [[0x6a, 0x02, 0x01, 0x02, 0x01, 0x03]],           // two foreign pushes
            [TestBlocks.OpReturn(preorder)],                  // and one good entry after all that
        ];
        var scan = Scan(txs);
        Assert.Equal(
            new[]
            {
                "NotPushOnly", "TruncatedPush", "TruncatedPush", "TruncatedPush", "TruncatedPush", "MultiplePushes",
                "InvalidName", "BadLength", "MissingSeparator",
            },
            scan.Malformed.Select(m => m.Reason).ToArray());
        Assert.Equal(Enumerable.Range(1, 9).ToArray(), scan.Malformed.Select(m => m.Position.TxIndex).ToArray());
        Assert.Equal(4, scan.ForeignOpReturns);
        Assert.Equal(4, scan.MalformedByReason["TruncatedPush"]);
        var entry = Assert.Single(scan.Entries);
        Assert.Equal(new NamePosition(7, 14, 0), entry.Position);
    }

    [Fact]
    public void Coinbase_witness_commitment_and_plain_outputs_are_not_entries()
    {
        var block = Network.RegTest.GetGenesis();
        var scan = OpReturnExtractor.Extract(block, 0);
        Assert.Empty(scan.Entries);
        Assert.Empty(scan.Malformed);
        Assert.Equal(0, scan.ForeignOpReturns);

        byte[] witnessCommitment = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed, .. new byte[32]];
        var scan2 = Scan([witnessCommitment, P2wpkh]);
        Assert.Empty(scan2.Entries);
        Assert.Equal(1, scan2.ForeignOpReturns);
    }

    [Fact]
    public void TryGetData_reports_empty_single_and_multiple_pushes()
    {
        Assert.Equal(OpReturnScriptError.None, OpReturnExtractor.TryGetData([0x6a], out var empty));
        Assert.True(empty.IsEmpty);
        Assert.Equal(OpReturnScriptError.None, OpReturnExtractor.TryGetData([0x6a, 0x02, 0xab, 0xcd], out var one));
        Assert.Equal(new byte[] { 0xab, 0xcd }, one.ToArray());
        Assert.Equal(OpReturnScriptError.MultiplePushes, OpReturnExtractor.TryGetData([0x6a, 0x01, 0xab, 0x01, 0xcd], out var two));
        Assert.Equal(new byte[] { 0xab, 0xcd }, two.ToArray());
        Assert.Throws<ArgumentException>(() => OpReturnExtractor.TryGetData([0x51], out _));
    }

    [Fact]
    public void Random_scripts_after_op_return_never_throw()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var script = new byte[random.Next(1, 90)];
            random.NextBytes(script);
            script[0] = 0x6a;
            var error = OpReturnExtractor.TryGetData(script, out _);
            Assert.True(Enum.IsDefined(error));
        }
    }

    [Theory]
    [InlineData("main")]
    [InlineData("test")]
    [InlineData("signet")]
    [InlineData("regtest")]
    public void Segwit_blocks_parsed_from_hex_give_txids_not_wtxids(string networkName)
    {
        var network = GitTorrent.Indexer.Bitcoin.BitcoinNetworks.Parse(networkName);
        var claim = NamePayload.EncodeClaim("segwit", Key);
        var block = TestBlocks.Create(uint256.One, 800_000, 0, [TestBlocks.OpReturn(claim)]);
        block.Transactions[1].Inputs[0].WitScript = new WitScript(Op.GetPushOp(new byte[72]), Op.GetPushOp(new byte[33]));
        block.UpdateMerkleRoot();
        var hex = Convert.ToHexStringLower(block.ToBytes());

        var parsed = Block.Parse(hex, network);
        Assert.True(parsed.Transactions[1].HasWitness);
        var scan = OpReturnExtractor.Extract(parsed, 800_000);
        var entry = Assert.Single(scan.Entries);
        Assert.Equal(block.Transactions[1].GetHash().ToString(), entry.Txid);
        Assert.NotEqual(block.Transactions[1].GetWitHash().ToString(), entry.Txid);
        Assert.Equal(block.GetHash().ToString(), scan.BlockHash);
        Assert.Equal("segwit", entry.Name);
    }
}
