using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Driving the super-seeding machine (BEP 16, adaptive for pack torrents; the decisions and their rules are in
/// <see cref="SuperSeedingMachine{TPeer}"/>): the session feeds it peers, bitfields, haves, departures and ticks, and
/// sends the haves it decides. Every interested peer is unchoked: the reveal window, not the choker, limits each peer.
/// </summary>
internal sealed partial class TorrentSession
{
    private SuperSeedingMachine<PeerState>? _superSeeding;
    private bool _loggedSharedMode;

    private bool IsSuperSeeding => _superSeeding is not null;

    private void EnableSuperSeeding(TorrentMetainfo metainfo, bool adaptive)
    {
        _superSeeding = new SuperSeedingMachine<PeerState>(metainfo.PieceCount, metainfo.PieceLength, adaptive);
        _choking.UnlimitedSlots();
    }

    /// <summary>Sends the haves the super-seeding machine decided, and logs a switch of the adaptive mode (lock held).</summary>
    private void ApplySuperSeedingCommands()
    {
        if (_superSeeding is not { } machine)
        {
            return;
        }
        while (machine.TryTake(out var command))
        {
            command.Peer.Connection.SendHave(command.Index);
        }
        if (machine.Adaptive && machine.Shared != _loggedSharedMode)
        {
            _loggedSharedMode = machine.Shared;
            ClientLog.SeedingMode(_logger, InfoHash, machine.Downloaders, machine.Shared);
        }
    }
}
