namespace GitTorrent.Engine.Fetch;

/// <summary>The fetch is over; nothing more will be asked.</summary>
public sealed record FinishFetch(TipFetchOutcome Outcome) : FetchCommand;
