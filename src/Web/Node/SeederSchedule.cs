namespace GitTorrent.Web.Node;

/// <summary>
/// When the portal's seeder (<see cref="SwarmSeeder"/>) announces its tips, re-puts its profile and counts seeders:
/// each at once, then again once its interval has passed since it last succeeded (a step that failed stays due).
/// No clock of its own: the caller passes the time.
/// </summary>
public sealed class SeederSchedule(TimeSpan announceInterval, TimeSpan republishInterval, TimeSpan countInterval)
{
    private DateTimeOffset? _announced;
    private DateTimeOffset? _published;
    private DateTimeOffset? _counted;

    public bool AnnounceDue(DateTimeOffset now) => Due(_announced, announceInterval, now);

    public bool RepublishDue(DateTimeOffset now) => Due(_published, republishInterval, now);

    public bool CountDue(DateTimeOffset now) => Due(_counted, countInterval, now);

    public void Announced(DateTimeOffset at) => _announced = at;

    public void Republished(DateTimeOffset at) => _published = at;

    public void Counted(DateTimeOffset at) => _counted = at;

    private static bool Due(DateTimeOffset? last, TimeSpan interval, DateTimeOffset now) => last is not { } at || now - at >= interval;
}
