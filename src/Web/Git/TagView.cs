namespace GitTorrent.Web.Git;

/// <summary>A tag: its commit, and for an annotated tag the tagger, date and message (else the commit's date).</summary>
public sealed record TagView(string Name, string CommitId, bool Annotated, string? Message, string? TaggerName, DateTimeOffset When);
