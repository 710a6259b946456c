namespace GitTorrent.Engine.Git;

/// <summary>A repository a seeder serves: its published name and the path git runs in.</summary>
public sealed record ServedRepository(string Name, string Path);
