using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Names;

public sealed class NameLookupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly Hash20 Alice = Hash20.Sha1("alice"u8);
    private static readonly Hash20 Bob = Hash20.Sha1("bob"u8);
    private static readonly byte[] Salt = new byte[16];

    /// <summary>C = SHA-256("gittorrent" ‖ "cjb" ‖ 0x00 ‖ SHA-1("alice") ‖ 16 zero bytes)[..20], computed outside this code base.</summary>
    private const string Commitment = "9a1fce868144c79f222c59271c84bf1a14e0fa15";

    [Fact]
    public void Payloads_are_the_bytes_of_protocol_section_5()
    {
        // Key hashes: SHA-1("alice") = 522b276a…c9e8, SHA-1("bob") = 48181acd…920a.
        Assert.Equal("@gittorrent!cjb!48181acd22b3edaebc8a447868a7df7ce629920a",
            System.Text.Encoding.ASCII.GetString(NamePayload.EncodeClaim("cjb", Bob)));
        Assert.Equal("67743f" + Commitment, Convert.ToHexStringLower(NamePayload.EncodePreorder("cjb", Alice, Salt)));
        Assert.Equal("677421" + "522b276a356bdf39013dfabea2cd43e141ecc9e8" + new string('0', 32) + "636a62",
            Convert.ToHexStringLower(NamePayload.EncodeRegister("cjb", Alice, Salt)));
    }

    [Fact]
    public async Task Resolves_from_the_index_with_the_preorders_its_registers_reveal()
    {
        // Height 1: Alice preorders "cjb"; 2: Bob claims it; 3: Alice registers; 4: junk and another name.
        var source = TestBlocks.Chain(6, height => height switch
        {
            1 => [[TestBlocks.OpReturn(NamePayload.EncodePreorder("cjb", Alice, Salt))]],
            2 => [[TestBlocks.OpReturn(NamePayload.EncodeClaim("cjb", Bob))]],
            3 => [[TestBlocks.OpReturn(NamePayload.EncodeRegister("cjb", Alice, Salt))]],
            4 => [[TestBlocks.OpReturn(NamePayload.EncodeClaim("other", Bob)), [0x6a, 0x51]]],
            _ => [],
        });
        var store = new InMemoryNameStore();
        await new ChainFollower(source, store).SyncAsync(CancellationToken.None).WaitAsync(Timeout);

        var lookup = new NameLookup(store, confirmations: 1);
        var cjb = await lookup.ResolveAsync("cjb", CancellationToken.None).WaitAsync(Timeout);
        Assert.NotNull(cjb);
        Assert.Equal(Alice, cjb.Owner);
        Assert.Equal(5, cjb.TipHeight);
        Assert.Equal(new[] { NameEntryKind.Preorder, NameEntryKind.Claim, NameEntryKind.Register }, cjb.Entries.Select(e => e.Entry.Kind));
        // Worked by hand from PROTOCOL.md section 5 (tx 0 of each block is the coinbase, so every payload is at tx 1,
        // output 0): the REGISTER at 3 reveals the PREORDER at 1, so its priority 1:1:0 beats Bob's CLAIM at 2:1:0;
        // the name settles at block 1 + 144 = 145 and is settling at tip 5.
        Assert.Equal(NameStatus.Settling, cjb.Status);
        Assert.Equal(new NamePosition(1, 1, 0), cjb.Priority);
        Assert.Equal(145, cjb.SettlesAtHeight);
        Assert.Equal(new NamePosition(3, 1, 0), cjb.OwnerEntry!.Position);
        Assert.Equal([new NamePosition(1, 1, 0), new NamePosition(2, 1, 0), new NamePosition(3, 1, 0)], cjb.Entries.Select(e => e.Entry.Position));
        Assert.Equal([true, false, true], cjb.Entries.Select(e => e.Valid));
        Assert.Equal(NameEntryReasons.Outbid, cjb.Entries[1].Reason);
        Assert.Equal(NameEntryReasons.Owner, cjb.Entries[2].Reason);
        Assert.Equal(new NamePosition(1, 1, 0), cjb.Entries[2].Priority);
        Assert.Equal(new NamePosition(2, 1, 0), cjb.Entries[1].Priority);
        Assert.Equal(Hash20.Parse(Commitment), cjb.Entries[0].Entry.Commitment);
        Assert.Equal(Hash20.Parse(Commitment), cjb.Entries[2].Entry.Commitment);

        Assert.Equal(Bob, (await lookup.ResolveAsync("other", CancellationToken.None).WaitAsync(Timeout))!.Owner);
        Assert.Null(await lookup.ResolveAsync("never-seen", CancellationToken.None).WaitAsync(Timeout));
        Assert.Null(await lookup.ResolveAsync("Not-Valid", CancellationToken.None).WaitAsync(Timeout));

        // With 3 confirmations the register at height 3 is final (5 - 3 + 1), with 4 it is pending and Bob leads.
        Assert.Equal(Alice, (await new NameLookup(store, 3).ResolveAsync("cjb", CancellationToken.None).WaitAsync(Timeout))!.Owner);
        Assert.Equal(Bob, (await new NameLookup(store, 4).ResolveAsync("cjb", CancellationToken.None).WaitAsync(Timeout))!.Owner);
    }
}
