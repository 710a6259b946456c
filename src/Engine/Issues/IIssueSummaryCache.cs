using GitTorrent.Engine;

namespace GitTorrent.Engine.Issues;

/// <summary>Summaries of issue folders by (folder name, tree id); see <see cref="IssueFolderSummary"/>.</summary>
public interface IIssueSummaryCache
{
    bool TryGet(string id, Hash20 tree, out IssueFolderSummary summary);

    void Set(string id, Hash20 tree, IssueFolderSummary summary);
}
