using GitTorrent.Engine.Git;
using GitTorrent.Web.Git;

namespace GitTorrent.Web.Services;

/// <summary>Turns <c>/u/{owner}/{rest}</c> into a <see cref="RepositoryContext"/>, or null for any 404.</summary>
public sealed class RepositoryContextResolver(UserDirectory directory, RepositoryStore store, GitBrowser browser)
{
    /// <summary>Repository names have at most this many segments (<see cref="RepositoryScanner.ValidName"/>).</summary>
    private const int MaxNameSegments = 6;

    /// <param name="raw">True for <c>/raw/{owner}/{repo}/{ref}/{path}</c>: the rest after the name is a ref and a file.</param>
    public async Task<RepositoryContext?> ResolveAsync(string ownerSegment, string? rest, CancellationToken cancellationToken, bool raw = false)
    {
        var segments = SplitPath(rest);
        if (segments is null || segments.Count == 0)
        {
            return null;
        }

        var owner = await directory.ResolveOwnerAsync(ownerSegment, cancellationToken);
        if (owner is null)
        {
            return null;
        }

        var repositories = await directory.RepositoriesAsync(owner.UserId, cancellationToken);
        RepositoryRecord? repository = null;
        var take = Math.Min(segments.Count, MaxNameSegments);
        for (; take >= 1; take--)
        {
            var candidate = string.Join('/', segments.Take(take));
            repository = repositories.FirstOrDefault(r => r.Name == candidate);
            if (repository is not null)
            {
                break;
            }
        }

        if (repository is null)
        {
            return null;
        }

        var remainder = segments.Skip(take).ToList();
        if (raw)
        {
            remainder.Insert(0, "blob");
        }

        var action = remainder.Count == 0 ? RepositoryAction.Home : remainder[0] switch
        {
            "tree" => RepositoryAction.Tree,
            "blob" => RepositoryAction.Blob,
            "commits" => RepositoryAction.Commits,
            "commit" => RepositoryAction.Commit,
            "branches" => RepositoryAction.Branches,
            "tags" => RepositoryAction.Tags,
            "blame" => RepositoryAction.Blame,
            "find" => RepositoryAction.Find,
            "search" => RepositoryAction.Search,
            "archive" => RepositoryAction.Archive,
            _ => (RepositoryAction?)null,
        };
        if (action is null)
        {
            return null;
        }

        var path = store.Exists(owner.UserId, repository.Name) ? store.PathOf(owner.UserId, repository.Name) : null;
        if (path is null)
        {
            // Not arrived yet: only the repository's home can say so; deeper URLs cannot be checked.
            return action == RepositoryAction.Home
                ? new RepositoryContext(ownerSegment, owner, repository, null, RepositoryAction.Home, null, "", null, [], null)
                : null;
        }

        var refs = browser.Refs(path);
        var defaultBranch = browser.DefaultBranch(path);
        var args = remainder.Skip(1).ToList();
        ResolvedRef? resolved = null;
        string? commitId = null;
        switch (action)
        {
            case RepositoryAction.Home:
                resolved = defaultBranch is null ? null : browser.Resolve(path, [.. defaultBranch.Split('/')]);
                break;
            case RepositoryAction.Branches or RepositoryAction.Tags:
                if (args.Count > 0)
                {
                    return null;
                }

                resolved = defaultBranch is null ? null : browser.Resolve(path, [.. defaultBranch.Split('/')]);
                break;
            case RepositoryAction.Tree or RepositoryAction.Blob or RepositoryAction.Commits or RepositoryAction.Blame
                or RepositoryAction.Find or RepositoryAction.Search or RepositoryAction.Archive:
                resolved = browser.Resolve(path, args);
                if (resolved is null || (action is RepositoryAction.Find or RepositoryAction.Search or RepositoryAction.Archive && resolved.Path.Count > 0))
                {
                    return null;
                }

                break;
            case RepositoryAction.Commit:
                if (args is not [var sha] || !GitTorrent.Engine.Hash20.IsLowerHex40(sha))
                {
                    return null;
                }

                commitId = sha;
                break;
        }

        var filePath = resolved is null ? "" : string.Join('/', resolved.Path);
        if (resolved is not null)
        {
            var kind = browser.KindOf(path, resolved.CommitId, filePath);
            var wanted = action switch
            {
                RepositoryAction.Blob or RepositoryAction.Blame => kind is TreeEntryKind.File or TreeEntryKind.Symlink,
                RepositoryAction.Commits => kind is not null,
                _ => kind == TreeEntryKind.Directory,
            };
            if (!wanted)
            {
                return null;
            }
        }

        return new RepositoryContext(ownerSegment, owner, repository, path, action.Value, resolved, filePath, commitId, refs, defaultBranch);
    }

    /// <summary>Splits a URL path into segments, refusing empty, dot, dot-dot and control-character segments (null).</summary>
    public static List<string>? SplitPath(string? rest)
    {
        var segments = new List<string>();
        foreach (var segment in (rest ?? "").Split('/'))
        {
            if (segment.Length == 0)
            {
                continue;
            }

            if (segment is "." or ".." || segment.Any(c => char.IsControl(c) || c == '\\'))
            {
                return null;
            }

            segments.Add(segment);
        }

        return segments;
    }
}
