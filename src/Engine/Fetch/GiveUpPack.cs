namespace GitTorrent.Engine.Fetch;

/// <summary>Stop request <paramref name="Request"/>; its <see cref="PackFetched"/> still comes, listing what was tried.</summary>
public sealed record GiveUpPack(int Request) : FetchCommand;
