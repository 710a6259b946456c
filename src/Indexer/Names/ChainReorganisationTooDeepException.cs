using GitTorrent.Engine;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// The node's chain no longer contains the last <see cref="ChainFollowerOptions.MaxReorgDepth"/> indexed blocks:
/// either a reorganisation deeper than the limit or, far more likely, a node that is still syncing. Nothing was
/// rolled back.
/// </summary>
public sealed class ChainReorganisationTooDeepException(int indexedTip, int nodeTip, int maxDepth)
    : GitTorrentException(
        $"The node (tip {nodeTip}) does not have the last {maxDepth} indexed blocks (indexed tip {indexedTip}); "
        + "not rolling back. Is the node still syncing? Raise MaxReorgDepth if this is a real reorganisation.")
{
    public int IndexedTip { get; } = indexedTip;

    public int NodeTip { get; } = nodeTip;

    public int MaxDepth { get; } = maxDepth;
}
