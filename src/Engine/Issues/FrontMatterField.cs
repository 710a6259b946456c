namespace GitTorrent.Engine.Issues;

/// <summary>One <c>key: value</c> line of a front-matter block, as written.</summary>
public sealed record FrontMatterField(string Key, string Value);
