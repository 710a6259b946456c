using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// The BEP 10 extended handshake (extended id 0) through <see cref="Engine.Wire.Extensions.ExtensionRegistry.ApplyRemoteHandshake"/>
/// and every registered extension. Bad input is <see cref="ProtocolViolationException"/> (the peer is dropped). An
/// accepted handshake leaves the remote's ids as its <c>m</c> says: 1 to 255, a 0 removing the name.
/// </summary>
public static class ExtensionHandshakeTarget
{
    public static void Run(byte[] input)
    {
        var host = ExtensionHost.Instance;
        var connection = host.Connection;
        BDictionary handshake;
        try
        {
            handshake = host.Registry.ApplyRemoteHandshake(connection, input);
        }
        catch (ProtocolViolationException)
        {
            return;
        }
        FuzzInvariantException.Check(connection.RemoteExtensions.Values.All(id => id != 0), "an extension id of 0 was kept");
        if (handshake.GetDictionary("m") is { } m)
        {
            foreach (var (name, id) in m)
            {
                if (id is BInteger { Value: > 0 and <= 255 } n && m.Count(e => e.Key.Text == name.Text) == 1)
                {
                    FuzzInvariantException.Check(connection.RemoteExtensions.TryGetValue(name.Text, out var kept) && kept == n.Value,
                        "an extension id of m was not recorded");
                }
            }
        }
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var host = ExtensionHost.Instance;
        yield return host.Registry.BuildHandshake(host.Connection, "GitTorrent 0.1", 6881);
        yield return new BDictionary
        {
            { "m", new BDictionary { { "ut_metadata", 3 }, { "ut_pex", 0 } } },
            { "metadata_size", 31337 },
            { "reqq", 250 },
            { "v", "other 1.0" },
        }.Encode();
    }
}
