namespace GitTorrent.Engine.Client;

/// <summary>
/// Tit-for-tat choking (BEP 3 practice), sans-IO: the <c>slots</c> interested peers with the best rate (what they
/// give us while we download, what they take while we seed) are unchoked, plus one optimistic unchoke among the
/// rest that rotates when asked, so newcomers get a chance to prove themselves. The ranking alone: the
/// <see cref="Machines.ChokingMachine{TPeer}"/> keeps the state and the clock around it.
/// </summary>
/// <param name="random">Draws the optimistic unchoke; <see cref="Random.Shared"/> when null.</param>
public sealed class Choker(int slots, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public object? Optimistic { get; private set; }

    public int Slots { get; } = slots;

    public HashSet<object> Decide(IReadOnlyList<ChokeCandidate> candidates, bool rotateOptimistic)
    {
        var interested = candidates.Where(c => c.Interested).OrderByDescending(c => c.Rate).ToList();
        var unchoke = new HashSet<object>(interested.Take(Slots).Select(c => c.Peer));
        var rest = interested.Skip(Slots).Select(c => c.Peer).ToList();
        if (rotateOptimistic || Optimistic is null || !rest.Contains(Optimistic))
        {
            Optimistic = rest.Count == 0 ? null : rest[_random.Next(rest.Count)];
        }
        if (Optimistic is not null)
        {
            unchoke.Add(Optimistic);
        }
        return unchoke;
    }
}
