namespace GitTorrent.Web.Services;

/// <summary>Which repository view a URL asks for.</summary>
public enum RepositoryAction
{
    /// <summary><c>/u/{owner}/{repo}</c>: the default branch's root.</summary>
    Home,
    Tree,
    Blob,
    /// <summary><c>/commits/{ref}</c>, or <c>/commits/{ref}/{path}</c>: the history of one file or folder.</summary>
    Commits,
    Commit,
    Branches,
    Tags,
    Blame,

    /// <summary><c>/find/{ref}</c>: the file finder.</summary>
    Find,

    /// <summary><c>/search/{ref}?q=</c>: code search.</summary>
    Search,

    /// <summary><c>/archive/{ref}.tar.gz</c> or <c>.zip</c> (an endpoint, not a page).</summary>
    Archive,
}
