namespace GitTorrent.Engine.Fetch;

/// <summary>One ref a fetch brings into a repository.</summary>
/// <param name="RefName">Its name (<c>refs/heads/main</c>, <c>refs/tags/v1</c>, <c>HEAD</c>).</param>
/// <param name="Object">The object it points at: a commit, or the tag object of an annotated tag.</param>
/// <param name="Commit">The commit that object peels to (the same id for a branch or a lightweight tag).</param>
public sealed record FetchTip(string RefName, Hash20 Object, Hash20 Commit)
{
    /// <summary>A ref that points straight at a commit.</summary>
    public FetchTip(string refName, Hash20 commit)
        : this(refName, commit, commit)
    {
    }

    /// <summary>An annotated tag: its tag object must arrive too.</summary>
    public bool IsAnnotatedTag => Object != Commit;
}
