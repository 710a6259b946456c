namespace GitTorrent.Web.Issues;

/// <summary>
/// How an issue author is shown: the user id, the name it owns on Bitcoin if any, and the display name of its signed
/// profile if the portal knows it (self-chosen, so shown only when no name is registered).
/// </summary>
public sealed record AuthorView(string UserId, string? RegisteredName, string? DisplayName)
{
    public string Label => RegisteredName ?? DisplayName ?? UserId[..12];
}
