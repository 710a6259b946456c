namespace GitTorrent.Fuzz;

/// <summary>A parser accepted an input but broke a property its callers rely on (a round trip, a bound): a bug.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="condition"/> does not hold.</summary>
    public static void Check(bool condition, string property)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(property);
        }
    }
}
