namespace GitTorrent.Web.Services;

/// <summary>Which repository view a URL asks for.</summary>
public enum RepositoryAction
{
    /// <summary><c>/u/{owner}/{repo}</c>: the default branch's root.</summary>
    Home,
    Tree,
    Blob,
    Commits,
    Commit,
}
