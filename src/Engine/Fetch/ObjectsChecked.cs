namespace GitTorrent.Engine.Fetch;

/// <summary>The answer to <see cref="CheckObjects"/>: the ids the repository has.</summary>
public sealed record ObjectsChecked(IReadOnlySet<Hash20> Present) : FetchEvent;
