using GitTorrent.Engine;
using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.TestSupport;

/// <summary>A raw ut_gittorrent client from <see cref="ScriptedPeer.AttackerAddress"/>: handshakes, asks, and goes away or stays idle.</summary>
public static class GitTorrentAttacker
{
    /// <summary>
    /// Connects from <paramref name="from"/> (default <see cref="ScriptedPeer.AttackerAddress"/>) and exchanges the
    /// BitTorrent handshake for <paramref name="commit"/>; null when refused or closed.
    /// </summary>
    public static async Task<ScriptedPeer?> HandshakeAsync(IPEndPoint seeder, Hash20 commit, IPAddress? from = null)
    {
        ScriptedPeer peer;
        try
        {
            peer = await ScriptedPeer.ConnectAsync(seeder, from ?? ScriptedPeer.AttackerAddress);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException)
        {
            return null;
        }
        try
        {
            await peer.SendHandshakeAsync(commit);
            if (await peer.ReadExactlyAsync(Handshake.Length) is null)
            {
                await peer.DisposeAsync();
                return null;
            }
            return peer;
        }
        catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await peer.DisposeAsync();
            return null;
        }
    }

    /// <summary>
    /// After the handshake: sends our BEP 10 handshake, waits for the seeder's to learn its ut_gittorrent id and sends
    /// the request. False if the seeder closed first.
    /// </summary>
    public static async Task<bool> AskAsync(ScriptedPeer peer, Hash20 commit, IReadOnlyList<Hash20> haves)
    {
        var writer = new BencodeWriter();
        new BDictionary { ["m"] = new BDictionary { [GitTorrentMessage.ExtensionName] = new BInteger(1) } }.WriteTo(writer);
        try
        {
            await peer.SendAsync(ScriptedPeer.Message(MessageId.Extended, [0, .. writer.ToArray()]));
            while (true)
            {
                var frame = await peer.ReadMessageAsync();
                if (frame is null)
                {
                    return false;
                }
                if (frame.Value.Id == MessageId.Extended && frame.Value.Payload is [0, ..] payload
                    && BencodeReader.DecodeDictionary(payload.AsMemory(1), BencodeReadOptions.Lenient).GetDictionary("m")
                        ?.GetInteger(GitTorrentMessage.ExtensionName) is { } id)
                {
                    var request = GitTorrentMessage.Request(commit, haves).Encode();
                    await peer.SendAsync(ScriptedPeer.Message(MessageId.Extended, [(byte)id, .. request]));
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
