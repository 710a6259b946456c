namespace GitTorrent.Web.Services;

/// <summary>A name's owner and status with every entry that decided it.</summary>
/// <param name="Status">"pending", "settling" or "settled".</param>
public sealed record NameView(string Name, string? Owner, string Status, IReadOnlyList<NameEntryView> Entries)
{
    /// <summary>The entry that makes <see cref="Owner"/> the owner (the proof shown on user pages).</summary>
    public NameEntryView? Winning => Entries.FirstOrDefault(e => e.Valid && e.KeyHash == Owner && e.Kind is "CLAIM" or "REGISTER");
}
