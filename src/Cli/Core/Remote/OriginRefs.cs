namespace GitTorrent.Cli.Remote;

/// <summary>Refs of an origin: name to id (HEAD, branches, tags), HEAD's target, and annotated tag name to the commit it peels to.</summary>
public sealed record OriginRefs(IReadOnlyDictionary<string, string> Refs, string? HeadTarget, IReadOnlyDictionary<string, string> Peeled)
{
    /// <summary>Every ref the origin advertised (what a fetch of it may name).</summary>
    public IReadOnlyDictionary<string, string> Advertised { get; init; } = Refs;
}
