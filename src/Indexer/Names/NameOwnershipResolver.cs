using GitTorrent.Engine.Names;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Pure, deterministic ownership rules of docs/PROTOCOL.md section 5.
/// </summary>
/// <remarks>
/// <para>Input: any entries (a superset is fine). The resolver keeps the CLAIMs and REGISTERs of the name
/// and the PREORDERs whose C equals the C of one of those REGISTERs; duplicates (same position) count once.</para>
/// <para>Confirmations: an entry at height h has <c>tip - h + 1</c> confirmations and is final at
/// <c>confirmations</c> or more. Ownership is computed from final entries only: an unconfirmed entry never
/// makes or unmakes an owner, is reported with <see cref="ResolvedNameEntry.Pending"/> = true, valid = false and
/// reason <see cref="NameEntryReasons.Unconfirmed"/>. Status is <see cref="NameStatus.Pending"/> whenever no final
/// entry makes an owner (only unconfirmed entries, or only invalid ones).</para>
/// <para>Rules: the first final PREORDER (lowest position) of a given C counts; a REGISTER is valid only if that
/// PREORDER is in a strictly earlier block and at most 144 blocks earlier, and then competes with the PREORDER's
/// position; a CLAIM competes with its own position. The owner is the valid CLAIM or REGISTER with the lowest
/// priority (ties, only possible between REGISTERs of the same C and so of the same keyhash, go to the earlier
/// REGISTER). With the owner's priority height h the name is <see cref="NameStatus.Settling"/> until block h + 144
/// is final (a REGISTER in block h + 144 may still reveal a PREORDER made before h), then
/// <see cref="NameStatus.Settled"/>.</para>
/// </remarks>
public static class NameOwnershipResolver
{
    /// <summary>A REGISTER must come at most this many blocks after its PREORDER.</summary>
    public const int PreorderWindow = 144;

    /// <summary>An owner at priority height h can be overtaken until block h + this.</summary>
    public const int SettlingWindow = 144;

    public static NameResolution Resolve(string name, IEnumerable<NameEntry> entries, int tipHeight, int confirmations)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tipHeight);

        var all = entries.DistinctBy(e => e.Position).ToList();
        var named = all.Where(e => e.Kind != NameEntryKind.Preorder && e.Name == name).ToList();
        var commitments = named.Where(e => e.Kind == NameEntryKind.Register).Select(e => e.Commitment!.Value).ToHashSet();
        var relevant = named
            .Concat(all.Where(e => e.Kind == NameEntryKind.Preorder && commitments.Contains(e.Commitment!.Value)))
            .OrderBy(e => e.Position)
            .ToList();

        bool IsFinal(NameEntry e) => tipHeight - e.Height + 1 >= confirmations;

        // The first final PREORDER of each C counts.
        var firstPreorder = relevant
            .Where(e => e.Kind == NameEntryKind.Preorder && IsFinal(e))
            .GroupBy(e => e.Commitment!.Value)
            .ToDictionary(g => g.Key, g => g.First());

        var verdicts = new Dictionary<NamePosition, ResolvedNameEntry>();
        var candidates = new List<(NameEntry Entry, NamePosition Priority)>();
        foreach (var e in relevant)
        {
            if (!IsFinal(e))
            {
                verdicts[e.Position] = new ResolvedNameEntry(e, false, true, NameEntryReasons.Unconfirmed, null);
                continue;
            }
            switch (e.Kind)
            {
                case NameEntryKind.Claim:
                    candidates.Add((e, e.Position));
                    break;
                case NameEntryKind.Register:
                    var reason = CheckRegister(e, firstPreorder, out var preorder);
                    if (reason is null)
                    {
                        candidates.Add((e, preorder!.Position));
                    }
                    else
                    {
                        verdicts[e.Position] = new ResolvedNameEntry(e, false, false, reason, preorder?.Position);
                    }
                    break;
                default:
                    var counts = firstPreorder[e.Commitment!.Value].Position == e.Position;
                    verdicts[e.Position] = new ResolvedNameEntry(
                        e, counts, false, counts ? NameEntryReasons.FirstPreorder : NameEntryReasons.DuplicatePreorder, e.Position);
                    break;
            }
        }

        candidates.Sort((a, b) =>
        {
            var c = a.Priority.CompareTo(b.Priority);
            return c != 0 ? c : a.Entry.Position.CompareTo(b.Entry.Position);
        });
        NameEntry? owner = null;
        NamePosition? priority = null;
        foreach (var (entry, p) in candidates)
        {
            if (owner is null)
            {
                owner = entry;
                priority = p;
                verdicts[entry.Position] = new ResolvedNameEntry(entry, true, false, NameEntryReasons.Owner, p);
                if (entry.Kind == NameEntryKind.Register && verdicts.TryGetValue(p, out var pre))
                {
                    verdicts[p] = pre with { Reason = NameEntryReasons.OwnerPreorder };
                }
            }
            else
            {
                verdicts[entry.Position] = new ResolvedNameEntry(entry, false, false, NameEntryReasons.Outbid, p);
            }
        }

        var status = NameStatus.Pending;
        int? settlesAt = null;
        if (priority is { } ownerPriority)
        {
            settlesAt = ownerPriority.Height + SettlingWindow;
            status = tipHeight - settlesAt.Value + 1 >= confirmations ? NameStatus.Settled : NameStatus.Settling;
        }
        return new NameResolution(
            name, owner?.KeyHash, status, owner, priority, settlesAt, tipHeight,
            relevant.Select(e => verdicts[e.Position]).ToList());
    }

    private static string? CheckRegister(NameEntry register, Dictionary<Engine.Hash20, NameEntry> firstPreorder, out NameEntry? preorder)
    {
        if (!firstPreorder.TryGetValue(register.Commitment!.Value, out preorder) || preorder.Height > register.Height)
        {
            preorder = null;
            return NameEntryReasons.RegisterWithoutPreorder;
        }
        if (preorder.Height == register.Height)
        {
            return NameEntryReasons.PreorderNotEarlier;
        }
        return register.Height - preorder.Height > PreorderWindow ? NameEntryReasons.PreorderTooOld : null;
    }
}
