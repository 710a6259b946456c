using GitTorrent.Web.Node;

namespace GitTorrent.Web.Tests.Node;

/// <summary>The portal seeder's timers (<see cref="SeederSchedule"/>), on explicit times: due at start, again after the interval, not before.</summary>
public sealed class SeederScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Announces_republishes_and_counts_at_start_then_once_each_interval_has_passed()
    {
        var schedule = new SeederSchedule(SwarmSeeder.AnnounceInterval, SwarmSeeder.RepublishInterval, TimeSpan.FromMinutes(5));
        Assert.True(schedule.AnnounceDue(Start));
        Assert.True(schedule.RepublishDue(Start));
        Assert.True(schedule.CountDue(Start));
        schedule.Announced(Start);
        schedule.Republished(Start);
        schedule.Counted(Start);

        var justBefore = Start + SwarmSeeder.AnnounceInterval - TimeSpan.FromSeconds(1);
        Assert.False(schedule.AnnounceDue(justBefore));
        Assert.True(schedule.CountDue(justBefore));
        Assert.True(schedule.AnnounceDue(Start + SwarmSeeder.AnnounceInterval));
        Assert.False(schedule.RepublishDue(Start + SwarmSeeder.AnnounceInterval));
        Assert.True(schedule.RepublishDue(Start + SwarmSeeder.RepublishInterval));

        // The interval runs from the last success: an announce at 31 min is next due at 61 min, not 60.
        schedule.Announced(Start + TimeSpan.FromMinutes(31));
        Assert.False(schedule.AnnounceDue(Start + TimeSpan.FromMinutes(60)));
        Assert.True(schedule.AnnounceDue(Start + TimeSpan.FromMinutes(61)));
    }

    [Fact]
    public void A_step_that_failed_stays_due()
    {
        var schedule = new SeederSchedule(SwarmSeeder.AnnounceInterval, SwarmSeeder.RepublishInterval, TimeSpan.FromMinutes(5));
        schedule.Announced(Start);
        // The republish at start failed (never marked): it is due on every round until it succeeds.
        Assert.True(schedule.RepublishDue(Start + SwarmSeeder.RoundPause));
        Assert.True(schedule.RepublishDue(Start + (SwarmSeeder.RoundPause * 2)));
        schedule.Republished(Start + (SwarmSeeder.RoundPause * 2));
        Assert.False(schedule.RepublishDue(Start + (SwarmSeeder.RoundPause * 3)));
    }
}
