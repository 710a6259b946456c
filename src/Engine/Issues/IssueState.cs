namespace GitTorrent.Engine.Issues;

/// <summary>The <c>state:</c> of an issue: <c>open</c> or <c>closed</c> (docs/PROTOCOL.md section 6).</summary>
public enum IssueState
{
    Open,
    Closed,
}
