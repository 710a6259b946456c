namespace GitTorrent.Engine.Client.Machines;

/// <summary>The command queue the machines share the handling of.</summary>
internal static class SwarmOutbox
{
    /// <summary>Drops the commands for <paramref name="peer"/> (it left before the driver took them).</summary>
    public static void Forget<TPeer>(Queue<SwarmCommand<TPeer>> outbox, TPeer peer) where TPeer : notnull =>
        Forget(outbox, command => EqualityComparer<TPeer>.Default.Equals(command.Peer, peer));

    /// <summary>Drops the commands <paramref name="isFor"/> picks, keeping the others in order.</summary>
    public static void Forget<TCommand>(Queue<TCommand> outbox, Predicate<TCommand> isFor)
    {
        var count = outbox.Count;
        for (var i = 0; i < count; i++)
        {
            var command = outbox.Dequeue();
            if (!isFor(command))
            {
                outbox.Enqueue(command);
            }
        }
    }
}
