namespace GitTorrent.Engine.Fetch;

/// <summary>Tell the user (the caller's <see cref="IProgress{T}"/>).</summary>
public sealed record ReportProgress(FetchReport Report) : FetchCommand;
