namespace GitTorrent.Engine.Swarm;

/// <summary>
/// Tit-for-tat choking (BEP 3 practice), sans-IO: the <c>slots</c> interested peers with the best rate (what they
/// give us while we download, what they take while we seed) are unchoked, plus one optimistic unchoke among the
/// rest that rotates when asked, so newcomers get a chance to prove themselves.
/// </summary>
public sealed class Choker(int slots)
{
    public object? Optimistic { get; private set; }

    public int Slots { get; } = slots;

    public HashSet<object> Decide(IReadOnlyList<ChokeCandidate> candidates, bool rotateOptimistic)
    {
        var interested = candidates.Where(c => c.Interested).OrderByDescending(c => c.Rate).ToList();
        var unchoke = new HashSet<object>(interested.Take(Slots).Select(c => c.Peer));
        var rest = interested.Skip(Slots).Select(c => c.Peer).ToList();
        if (rotateOptimistic || Optimistic is null || !rest.Contains(Optimistic))
        {
            Optimistic = rest.Count == 0 ? null : rest[Random.Shared.Next(rest.Count)];
        }
        if (Optimistic is not null)
        {
            unchoke.Add(Optimistic);
        }
        return unchoke;
    }
}
