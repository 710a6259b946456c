namespace GitTorrent.Engine.Dht.Storage;

/// <summary>How many entries of a store each source holds (only sources holding some are kept).</summary>
internal sealed class SourceCounter
{
    private readonly Dictionary<SourceKey, int> _counts = [];

    public int this[SourceKey source] => _counts.GetValueOrDefault(source);

    public void Add(SourceKey source) => _counts[source] = this[source] + 1;

    public void Remove(SourceKey source)
    {
        var left = this[source] - 1;
        if (left <= 0)
        {
            _counts.Remove(source);
        }
        else
        {
            _counts[source] = left;
        }
    }
}
