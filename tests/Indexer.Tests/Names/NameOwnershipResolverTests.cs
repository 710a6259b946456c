using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Names;

public sealed class NameOwnershipResolverTests
{
    private static readonly Hash20 Alice = Hash20.Parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    private static readonly Hash20 Bob = Hash20.Parse("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    private static readonly byte[] SaltA = Enumerable.Repeat((byte)0xa5, 16).ToArray();
    private static readonly byte[] SaltB = Enumerable.Repeat((byte)0xb5, 16).ToArray();

    private static NameEntry Entry(NameEntryPayload payload, int height, int tx, int vout) =>
        new(new NamePosition(height, tx, vout), $"{height:x8}{tx:x8}{vout:x8}".PadRight(64, '0'), $"{height:x64}", payload);

    private static NameEntry Claim(string name, Hash20 key, int height, int tx = 1, int vout = 0) =>
        Entry(NameEntryPayload.Claim(name, key), height, tx, vout);

    private static NameEntry Preorder(string name, Hash20 key, byte[] salt, int height, int tx = 1, int vout = 0) =>
        Entry(NameEntryPayload.Preorder(NamePayload.ComputeCommitment(name, key, salt)), height, tx, vout);

    private static NameEntry Register(string name, Hash20 key, byte[] salt, int height, int tx = 1, int vout = 0) =>
        Entry(NameEntryPayload.Register(name, key, salt), height, tx, vout);

    private static NameResolution Resolve(int tip, params NameEntry[] entries) =>
        NameOwnershipResolver.Resolve("cjb", entries, tip, confirmations: 1);

    private static ResolvedNameEntry At(NameResolution r, NameEntry e) => r.Entries.Single(x => x.Entry.Position == e.Position);

    [Fact]
    public void First_claim_wins_across_blocks_and_within_a_block()
    {
        var bob = Claim("cjb", Bob, 10);
        var alice = Claim("cjb", Alice, 11);
        var r = Resolve(20, alice, bob);
        Assert.Equal(Bob, r.Owner);
        Assert.Equal(NameStatus.Settling, r.Status);
        Assert.Equal(NameEntryReasons.Owner, At(r, bob).Reason);
        Assert.False(At(r, alice).Valid);
        Assert.Equal(NameEntryReasons.Outbid, At(r, alice).Reason);

        var first = Claim("cjb", Alice, 10, tx: 2, vout: 3);
        var second = Claim("cjb", Bob, 10, tx: 3, vout: 0);
        Assert.Equal(Alice, Resolve(20, second, first).Owner);
        var sameTx1 = Claim("cjb", Bob, 10, tx: 2, vout: 1);
        Assert.Equal(Bob, Resolve(20, first, sameTx1).Owner);
    }

    [Fact]
    public void A_claim_made_after_a_preorder_loses_once_the_register_arrives()
    {
        var preorder = Preorder("cjb", Alice, SaltA, 10);
        var claim = Claim("cjb", Bob, 11);
        var before = Resolve(11, preorder, claim);
        Assert.Equal(Bob, before.Owner);
        Assert.Equal(NameStatus.Settling, before.Status);
        // The preorder hides its name: without the register it is not even known to belong to "cjb".
        Assert.Single(before.Entries);

        var register = Register("cjb", Alice, SaltA, 12);
        var after = Resolve(12, preorder, claim, register);
        Assert.Equal(Alice, after.Owner);
        Assert.Equal(register, after.OwnerEntry);
        Assert.Equal(preorder.Position, after.Priority);
        Assert.Equal(10 + 144, after.SettlesAtHeight);
        Assert.Equal(NameEntryReasons.Outbid, At(after, claim).Reason);
        Assert.True(At(after, preorder).Valid);
        Assert.Equal(NameEntryReasons.OwnerPreorder, At(after, preorder).Reason);
        Assert.Equal(new[] { preorder, claim, register }, after.Entries.Select(e => e.Entry).ToArray());
    }

    [Fact]
    public void A_register_overtakes_up_to_block_h_plus_144_but_not_after()
    {
        var claim = Claim("cjb", Bob, 100);
        var preorder = Preorder("cjb", Alice, SaltA, 99);
        var inTime = Register("cjb", Alice, SaltA, 243);
        Assert.Equal(NameStatus.Settling, Resolve(243, claim).Status);
        Assert.Equal(Alice, Resolve(243, claim, preorder, inTime).Owner);

        var tooLate = Register("cjb", Alice, SaltA, 244);
        var r = Resolve(244, claim, preorder, tooLate);
        Assert.Equal(Bob, r.Owner);
        Assert.Equal(NameStatus.Settled, r.Status);
        Assert.Equal(NameEntryReasons.PreorderTooOld, At(r, tooLate).Reason);
    }

    [Fact]
    public void Register_without_preorder_is_ignored()
    {
        var register = Register("cjb", Alice, SaltA, 12);
        var r = Resolve(20, register);
        Assert.Null(r.Owner);
        Assert.Null(r.OwnerEntry);
        Assert.Equal(NameStatus.Pending, r.Status);
        Assert.False(At(r, register).Valid);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, At(r, register).Reason);

        // A preorder of another salt is another commitment.
        var other = Preorder("cjb", Alice, SaltB, 5);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, At(Resolve(20, other, register), register).Reason);

        // A preorder after the register does not count for it.
        var later = Preorder("cjb", Alice, SaltA, 13);
        var r2 = Resolve(20, register, later);
        Assert.Equal(NameEntryReasons.RegisterWithoutPreorder, At(r2, register).Reason);
        Assert.Null(r2.Owner);
    }

    [Fact]
    public void Register_with_a_preorder_more_than_144_blocks_earlier_is_ignored()
    {
        var preorder = Preorder("cjb", Alice, SaltA, 10);
        var old = Register("cjb", Alice, SaltA, 155);
        var r = Resolve(200, preorder, old);
        Assert.Null(r.Owner);
        Assert.Equal(NameEntryReasons.PreorderTooOld, At(r, old).Reason);
        Assert.Equal(preorder.Position, At(r, old).Priority);

        var justInTime = Register("cjb", Alice, SaltA, 154);
        Assert.Equal(Alice, Resolve(200, preorder, justInTime).Owner);
    }

    [Fact]
    public void Preorder_and_register_in_the_same_block_are_rejected()
    {
        var preorder = Preorder("cjb", Alice, SaltA, 10, tx: 1);
        var register = Register("cjb", Alice, SaltA, 10, tx: 2);
        var r = Resolve(20, preorder, register);
        Assert.Null(r.Owner);
        Assert.Equal(NameEntryReasons.PreorderNotEarlier, At(r, register).Reason);

        // Even with a later claim around, the same-block register does not win.
        var claim = Claim("cjb", Bob, 11);
        Assert.Equal(Bob, Resolve(20, preorder, register, claim).Owner);
    }

    [Fact]
    public void Only_the_first_preorder_of_a_commitment_counts()
    {
        var first = Preorder("cjb", Alice, SaltA, 10);
        var second = Preorder("cjb", Alice, SaltA, 20);
        var register = Register("cjb", Alice, SaltA, 30);
        var r = Resolve(40, second, register, first);
        Assert.Equal(Alice, r.Owner);
        Assert.Equal(first.Position, r.Priority);
        Assert.True(At(r, first).Valid);
        Assert.False(At(r, second).Valid);
        Assert.Equal(NameEntryReasons.DuplicatePreorder, At(r, second).Reason);

        // The first one is too old for a late register, and the younger duplicate does not rescue it.
        var late = Register("cjb", Alice, SaltA, 160);
        var r2 = Resolve(200, first, second, late);
        Assert.Null(r2.Owner);
        Assert.Equal(NameEntryReasons.PreorderTooOld, At(r2, late).Reason);
    }

    [Fact]
    public void A_front_runner_copying_the_preorder_loses_to_the_original()
    {
        // Bob copies Alice's preorder bytes later; the commitment binds Alice's keyhash, so Bob gains nothing.
        var alicePre = Preorder("cjb", Alice, SaltA, 10);
        var copy = Preorder("cjb", Alice, SaltA, 11);
        var bobPre = Preorder("cjb", Bob, SaltB, 11, tx: 2);
        var aliceReg = Register("cjb", Alice, SaltA, 12);
        var bobReg = Register("cjb", Bob, SaltB, 12, tx: 2);
        var r = Resolve(20, alicePre, copy, bobPre, aliceReg, bobReg);
        Assert.Equal(Alice, r.Owner);
        Assert.Equal(NameEntryReasons.Outbid, At(r, bobReg).Reason);
        Assert.True(At(r, bobPre).Valid);
        Assert.Equal(NameEntryReasons.FirstPreorder, At(r, bobPre).Reason);
    }

    [Fact]
    public void Entries_below_n_confirmations_are_pending_and_do_not_decide()
    {
        var claim = Claim("cjb", Bob, 100);
        var young = NameOwnershipResolver.Resolve("cjb", [claim], tipHeight: 104, confirmations: 6);
        Assert.Null(young.Owner);
        Assert.Equal(NameStatus.Pending, young.Status);
        var entry = Assert.Single(young.Entries);
        Assert.True(entry.Pending);
        Assert.False(entry.Valid);
        Assert.Equal(NameEntryReasons.Unconfirmed, entry.Reason);

        var final = NameOwnershipResolver.Resolve("cjb", [claim], tipHeight: 105, confirmations: 6);
        Assert.Equal(Bob, final.Owner);
        Assert.Equal(NameStatus.Settling, final.Status);
        Assert.False(Assert.Single(final.Entries).Pending);

        // A pending register whose preorder is older does not unseat the final owner yet.
        var preorder = Preorder("cjb", Alice, SaltA, 95);
        var register = Register("cjb", Alice, SaltA, 103);
        var mixed = NameOwnershipResolver.Resolve("cjb", [claim, preorder, register], tipHeight: 105, confirmations: 6);
        Assert.Equal(Bob, mixed.Owner);
        Assert.True(At(mixed, register).Pending);
        Assert.Equal(Alice, NameOwnershipResolver.Resolve("cjb", [claim, preorder, register], 108, 6).Owner);

        // Above the tip (a source ahead of the tip we were given) is pending too.
        Assert.True(Assert.Single(Resolve(99, claim).Entries).Pending);
    }

    [Fact]
    public void Settled_once_block_h_plus_144_is_final()
    {
        var claim = Claim("cjb", Bob, 100);
        Assert.Equal(NameStatus.Settling, Resolve(243, claim).Status);
        Assert.Equal(NameStatus.Settled, Resolve(244, claim).Status);
        Assert.Equal(244, Resolve(244, claim).SettlesAtHeight);
        Assert.Equal(NameStatus.Settling, NameOwnershipResolver.Resolve("cjb", [claim], 248, 6).Status);
        Assert.Equal(NameStatus.Settled, NameOwnershipResolver.Resolve("cjb", [claim], 249, 6).Status);
        Assert.Equal("settled", Resolve(244, claim).StatusText);
        Assert.Equal("settling", Resolve(243, claim).StatusText);
        Assert.Equal("pending", Resolve(243).StatusText);
    }

    [Fact]
    public void Other_names_and_unrelated_preorders_are_left_out()
    {
        var mine = Claim("cjb", Bob, 10);
        var otherName = Claim("cjb2", Alice, 5);
        var unrelated = Preorder("zed", Alice, SaltA, 4);
        var otherRegister = Register("zed", Alice, SaltA, 6);
        var r = Resolve(20, mine, otherName, unrelated, otherRegister);
        Assert.Equal(Bob, r.Owner);
        Assert.Equal(new[] { mine }, r.Entries.Select(e => e.Entry).ToArray());
        Assert.Equal(Alice, NameOwnershipResolver.Resolve("zed", [mine, otherName, unrelated, otherRegister], 20, 1).Owner);
    }

    [Fact]
    public void Result_does_not_depend_on_input_order_or_duplicates()
    {
        NameEntry[] entries =
        [
            Preorder("cjb", Alice, SaltA, 10), Claim("cjb", Bob, 11), Register("cjb", Alice, SaltA, 12),
            Preorder("cjb", Bob, SaltB, 9, tx: 4), Register("cjb", Bob, SaltB, 9, tx: 5), Claim("cjb", Alice, 30),
        ];
        var expected = Resolve(50, entries);
        var random = new Random(7);
        for (var i = 0; i < 50; i++)
        {
            var shuffled = entries.Concat(entries.Take(random.Next(entries.Length))).OrderBy(_ => random.Next()).ToArray();
            var r = Resolve(50, shuffled);
            Assert.Equal(expected.Owner, r.Owner);
            Assert.Equal(expected.Status, r.Status);
            Assert.Equal(expected.Entries, r.Entries);
        }
        Assert.Equal(Alice, expected.Owner);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NameOwnershipResolver.Resolve("cjb", [], 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NameOwnershipResolver.Resolve("cjb", [], -1, 1));
    }
}
