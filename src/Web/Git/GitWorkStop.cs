namespace GitTorrent.Web.Git;

/// <summary>Why a browsing view (blame, history, code search, file finder, last-commit column) is not the whole answer.</summary>
public enum GitWorkStop
{
    /// <summary>Complete.</summary>
    None,

    /// <summary><see cref="BrowseOptions.GitCommandTimeout"/> passed; the view holds what came before.</summary>
    TimedOut,

    /// <summary>git printed more than <see cref="BrowseOptions.MaxGitOutputBytes"/>; the view holds what came before.</summary>
    OutputLimit,

    /// <summary>This client address already has <see cref="BrowseOptions.MaxGitCommandsPerClient"/> works running or waiting (429).</summary>
    ClientBusy,

    /// <summary><see cref="BrowseOptions.MaxGitCommandQueue"/> works already wait for a slot (503).</summary>
    ServerBusy,
}
