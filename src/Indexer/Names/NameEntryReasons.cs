namespace GitTorrent.Indexer.Names;

/// <summary>The <c>reason</c> strings of <c>/api/names/{name}</c> entries (stable: clients may match on them).</summary>
public static class NameEntryReasons
{
    public const string Owner = "owner";
    public const string OwnerPreorder = "preorder of the owner";
    public const string FirstPreorder = "first preorder of its commitment";
    public const string DuplicatePreorder = "duplicate preorder (the first of this commitment counts)";
    public const string RegisterWithoutPreorder = "register without preorder";
    public const string PreorderNotEarlier = "preorder not in an earlier block";
    public const string PreorderTooOld = "preorder too old (>144 blocks)";
    public const string Outbid = "outbid by earlier priority";
    public const string Unconfirmed = "unconfirmed";

    /// <summary>Stored on a PREORDER no REGISTER has revealed yet (its name is unknown until then).</summary>
    public const string NotRevealed = "preorder not revealed yet";
}
