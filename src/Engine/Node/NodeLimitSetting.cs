namespace GitTorrent.Engine.Node;

/// <summary>One of <see cref="NodeLimits.Settings"/>: the daemon's variable, the property it sets, its meaning, and how a value applies.</summary>
public sealed record NodeLimitSetting(string Variable, string Property, string Meaning, Func<NodeLimits, string, NodeLimits> Apply);
