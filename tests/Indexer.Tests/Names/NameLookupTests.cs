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
        Assert.Equal(NameOwnershipResolver.Resolve("cjb", store.Entries, 5, 1).Entries, cjb.Entries);

        Assert.Equal(Bob, (await lookup.ResolveAsync("other", CancellationToken.None).WaitAsync(Timeout))!.Owner);
        Assert.Null(await lookup.ResolveAsync("never-seen", CancellationToken.None).WaitAsync(Timeout));
        Assert.Null(await lookup.ResolveAsync("Not-Valid", CancellationToken.None).WaitAsync(Timeout));

        // With 3 confirmations the register at height 3 is final (5 - 3 + 1), with 4 it is pending and Bob leads.
        Assert.Equal(Alice, (await new NameLookup(store, 3).ResolveAsync("cjb", CancellationToken.None).WaitAsync(Timeout))!.Owner);
        Assert.Equal(Bob, (await new NameLookup(store, 4).ResolveAsync("cjb", CancellationToken.None).WaitAsync(Timeout))!.Owner);
    }
}
