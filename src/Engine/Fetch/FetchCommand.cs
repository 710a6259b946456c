namespace GitTorrent.Engine.Fetch;

/// <summary>What <see cref="TipFetchMachine"/> asks its driver to do.</summary>
public abstract record FetchCommand;
