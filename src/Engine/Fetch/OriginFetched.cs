namespace GitTorrent.Engine.Fetch;

/// <summary>The origin fetch ended: <paramref name="Error"/> is null when it succeeded.</summary>
public sealed record OriginFetched(string? Error) : FetchEvent;
