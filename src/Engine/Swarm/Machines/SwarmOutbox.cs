namespace GitTorrent.Engine.Swarm.Machines;

/// <summary>The command queue the machines share the handling of.</summary>
internal static class SwarmOutbox
{
    /// <summary>Drops the commands for <paramref name="peer"/> (it left before the driver took them).</summary>
    public static void Forget<TPeer>(Queue<SwarmCommand<TPeer>> outbox, TPeer peer) where TPeer : notnull
    {
        var count = outbox.Count;
        for (var i = 0; i < count; i++)
        {
            var command = outbox.Dequeue();
            if (!EqualityComparer<TPeer>.Default.Equals(command.Peer, peer))
            {
                outbox.Enqueue(command);
            }
        }
    }
}
