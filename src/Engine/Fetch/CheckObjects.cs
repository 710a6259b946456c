namespace GitTorrent.Engine.Fetch;

/// <summary>Find which of <paramref name="Ids"/> the repository has; answer <see cref="ObjectsChecked"/>.</summary>
public sealed record CheckObjects(IReadOnlyList<Hash20> Ids) : FetchCommand;
