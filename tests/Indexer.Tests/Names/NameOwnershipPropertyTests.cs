using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Names;

/// <summary>Invariants of the ownership rules over many random histories (fixed seeds, so failures reproduce).</summary>
public sealed class NameOwnershipPropertyTests
{
    private static readonly Hash20[] Keys = [Hash20.Sha1("k0"u8), Hash20.Sha1("k1"u8), Hash20.Sha1("k2"u8)];
    private static readonly byte[][] Salts = [new byte[16], Enumerable.Repeat((byte)1, 16).ToArray()];
    private static readonly string[] Names = ["cjb", "zed"];

    private static NameEntry RandomEntry(Random random, int minHeight, int maxHeight, ref int serial)
    {
        var position = new NamePosition(random.Next(minHeight, maxHeight + 1), random.Next(1, 4), random.Next(0, 3));
        var name = Names[random.Next(Names.Length)];
        var key = Keys[random.Next(Keys.Length)];
        var salt = Salts[random.Next(Salts.Length)];
        var payload = random.Next(3) switch
        {
            0 => NameEntryPayload.Claim(name, key),
            1 => NameEntryPayload.Preorder(NamePayload.ComputeCommitment(name, key, salt)),
            _ => NameEntryPayload.Register(name, key, salt),
        };
        serial++;
        return new NameEntry(position, $"{serial:x64}", $"{position.Height:x64}", payload);
    }

    private static List<NameEntry> RandomHistory(Random random, int count, int minHeight, int maxHeight)
    {
        var serial = random.Next(1_000_000);
        var entries = new List<NameEntry>();
        for (var i = 0; i < count; i++)
        {
            entries.Add(RandomEntry(random, minHeight, maxHeight, ref serial));
        }
        return entries.DistinctBy(e => e.Position).ToList();
    }

    [Fact]
    public void The_owner_obeys_every_rule()
    {
        var random = new Random(1);
        var registerOwners = 0;
        for (var run = 0; run < 2000; run++)
        {
            var confirmations = random.Next(1, 7);
            var entries = RandomHistory(random, random.Next(1, 12), 0, 400);
            var tip = random.Next(0, 450);
            foreach (var name in Names)
            {
                var r = NameOwnershipResolver.Resolve(name, entries, tip, confirmations);
                var owners = r.Entries.Where(e => e.Reason == NameEntryReasons.Owner).ToList();
                Assert.True(owners.Count <= 1);
                Assert.Equal(owners.Count == 1, r.Owner is not null);
                Assert.Equal(r.Owner is null, r.Status == NameStatus.Pending);
                Assert.All(r.Entries, e => Assert.True(!e.Pending || tip - e.Entry.Height + 1 < confirmations));
                Assert.All(r.Entries, e => Assert.False(e.Pending && e.Valid));
                if (r.OwnerEntry is not { } owner)
                {
                    continue;
                }
                Assert.Equal(name, owner.Name);
                Assert.True(tip - owner.Height + 1 >= confirmations);
                if (owner.Kind == NameEntryKind.Register)
                {
                    var preorder = entries.Where(e => e.Kind == NameEntryKind.Preorder && e.Commitment == owner.Commitment
                            && tip - e.Height + 1 >= confirmations)
                        .MinBy(e => e.Position)!;
                    Assert.Equal(preorder.Position, r.Priority);
                    Assert.InRange(owner.Height - preorder.Height, 1, 144);
                    registerOwners++;
                }
                else
                {
                    Assert.Equal(owner.Position, r.Priority);
                }
                // No final CLAIM of the name came earlier.
                Assert.DoesNotContain(entries, e => e.Kind == NameEntryKind.Claim && e.Name == name
                    && tip - e.Height + 1 >= confirmations && e.Position < r.Priority!.Value);
            }
        }
        Assert.True(registerOwners > 10, $"only {registerOwners} REGISTER owners were exercised");
    }

    [Fact]
    public void A_settled_name_never_changes_owner_whatever_comes_later()
    {
        var random = new Random(2);
        var settledSeen = 0;
        for (var run = 0; run < 3000; run++)
        {
            var confirmations = random.Next(1, 7);
            var entries = RandomHistory(random, random.Next(1, 10), 0, 300);
            var tip = random.Next(150, 460);
            foreach (var name in Names)
            {
                var before = NameOwnershipResolver.Resolve(name, entries, tip, confirmations);
                if (before.Status != NameStatus.Settled)
                {
                    continue;
                }
                settledSeen++;
                // Anything mined after the tip (and the pending blocks maturing) cannot change the owner.
                var later = entries.Concat(RandomHistory(random, random.Next(1, 15), tip + 1, tip + 400)).ToList();
                var after = NameOwnershipResolver.Resolve(name, later, tip + 400 + confirmations, confirmations);
                Assert.Equal(before.Owner, after.Owner);
                Assert.Equal(before.OwnerEntry!.Position, after.OwnerEntry!.Position);
                Assert.Equal(NameStatus.Settled, after.Status);
            }
        }
        Assert.True(settledSeen > 100, $"only {settledSeen} settled names were exercised");
    }

    [Fact]
    public void A_settling_name_can_only_be_taken_by_an_earlier_preorder()
    {
        var random = new Random(3);
        var takeovers = 0;
        for (var run = 0; run < 3000; run++)
        {
            var entries = RandomHistory(random, random.Next(1, 10), 0, 300);
            var tip = random.Next(0, 320);
            foreach (var name in Names)
            {
                var before = NameOwnershipResolver.Resolve(name, entries, tip, 1);
                if (before.Status != NameStatus.Settling)
                {
                    continue;
                }
                var later = entries.Concat(RandomHistory(random, random.Next(1, 10), tip + 1, tip + 200)).ToList();
                var after = NameOwnershipResolver.Resolve(name, later, tip + 200, 1);
                Assert.NotNull(after.Owner);
                if (after.OwnerEntry!.Position != before.OwnerEntry!.Position)
                {
                    // Only a REGISTER whose first PREORDER predates the old owner's priority can take over.
                    Assert.Equal(NameEntryKind.Register, after.OwnerEntry.Kind);
                    Assert.True(after.Priority!.Value < before.Priority!.Value);
                    Assert.True(after.OwnerEntry.Height > tip);
                    Assert.True(after.OwnerEntry.Height <= before.Priority.Value.Height + 144);
                    takeovers++;
                }
            }
        }
        Assert.True(takeovers > 10, $"only {takeovers} takeovers were exercised");
    }
}
