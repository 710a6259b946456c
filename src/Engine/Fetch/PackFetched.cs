namespace GitTorrent.Engine.Fetch;

/// <summary>
/// Request <paramref name="Request"/> ended with <paramref name="Result"/>; <paramref name="Present"/> are the ones of
/// its <c>Sha</c> and <c>Wants</c> the repository has now.
/// </summary>
public sealed record PackFetched(int Request, SwarmFetchResult Result, IReadOnlySet<Hash20> Present) : FetchEvent;
