namespace GitTorrent.Engine.Fetch;

/// <summary>Fetch <paramref name="RefNames"/> from the origin in one <c>git fetch</c>; answer <see cref="OriginFetched"/>.</summary>
public sealed record FetchFromOrigin(IReadOnlyList<string> RefNames) : FetchCommand;
