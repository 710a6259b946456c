namespace GitTorrent.Data;

/// <summary>The outcome of <see cref="DatabaseMigrator.MigrateAsync"/>.</summary>
/// <param name="Succeeded">False when the database could not be reached or migrated (already logged).</param>
/// <param name="Applied">Migrations applied by this call; empty when the schema was up to date.</param>
/// <param name="Error">The one-line reason when <paramref name="Succeeded"/> is false.</param>
public sealed record MigrationResult(bool Succeeded, IReadOnlyList<string> Applied, string? Error)
{
    public static MigrationResult Failed(string error) => new(false, [], error);
}
