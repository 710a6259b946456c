namespace GitTorrent.Web.Git;

/// <summary>
/// The paths of the files at a commit (the file finder), at most <see cref="BrowseOptions.MaxFinderPaths"/>;
/// <see cref="Stop"/> says why the list may end early (or is empty: refused).
/// </summary>
public sealed record FilePathList(IReadOnlyList<string> Paths, GitWorkStop Stop);
