namespace GitTorrent.Engine.Fetch;

/// <summary>What the driver tells <see cref="TipFetchMachine"/> happened.</summary>
public abstract record FetchEvent;
