namespace GitTorrent.Web.Forks;

/// <summary>Whether a compared head merges into its base (<c>git merge-tree --write-tree</c>).</summary>
public enum MergeState
{
    Clean,
    Conflicts,
    Unknown,
}
