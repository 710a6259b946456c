using GitTorrent.Data.Entities;

namespace GitTorrent.Web.Mirrors;

/// <summary>The outcome of adding a mirror: the row, or why not.</summary>
public sealed record MirrorAddResult(Mirror? Mirror, string? Error)
{
    public bool Succeeded => Mirror is not null;
}
