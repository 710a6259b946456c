using System.Collections.Immutable;
using System.Text;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// The BEP 10 extensions this node speaks. Each gets a local message id (its position + 1; 0 is the handshake).
/// Register before connections are made: peers learn the set from the handshake.
/// </summary>
public sealed class ExtensionRegistry
{
    /// <summary>Maximum extensions (ids are one byte, 0 reserved).</summary>
    public const int MaxExtensions = 200;

    private ImmutableArray<IExtension> _extensions = [];

    public IReadOnlyList<IExtension> Extensions => _extensions;

    public void Register(IExtension extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        ImmutableInterlocked.Update(ref _extensions, list =>
        {
            if (list.Any(e => e.Name == extension.Name))
            {
                throw new InvalidOperationException($"Extension '{extension.Name}' is already registered.");
            }
            if (list.Length >= MaxExtensions)
            {
                throw new InvalidOperationException("Too many extensions.");
            }
            return list.Add(extension);
        });
    }

    public T? Find<T>() where T : class, IExtension => _extensions.OfType<T>().FirstOrDefault();

    /// <summary>The extension behind a local id we advertised, if any.</summary>
    public bool TryGet(byte localId, out IExtension extension)
    {
        var list = _extensions;
        if (localId >= 1 && localId <= list.Length)
        {
            extension = list[localId - 1];
            return true;
        }
        extension = null!;
        return false;
    }

    /// <summary>Our BEP 10 handshake for <paramref name="connection"/>: <c>m</c>, <c>v</c>, <c>reqq</c>, plus each extension's keys.</summary>
    public byte[] BuildHandshake(PeerConnection connection, string clientName, int listenPort)
    {
        var list = _extensions;
        var m = new BDictionary();
        for (var i = 0; i < list.Length; i++)
        {
            m.Add(list[i].Name, i + 1);
        }
        var handshake = new BDictionary
        {
            { "m", m },
            { "v", Encoding.UTF8.GetBytes(clientName) },
            { "reqq", PeerConnection.MaxQueuedUploads },
        };
        if (listenPort > 0)
        {
            handshake.Add("p", listenPort);
        }
        foreach (var extension in list)
        {
            extension.ContributeHandshake(connection, handshake);
        }
        return handshake.Encode();
    }

    /// <summary>
    /// Applies a received BEP 10 handshake: records the remote's ids (an id of 0 disables an extension) and tells
    /// every extension. Throws <see cref="ProtocolViolationException"/> when it is not a dictionary.
    /// </summary>
    public BDictionary ApplyRemoteHandshake(PeerConnection connection, ReadOnlyMemory<byte> payload)
    {
        if (!BencodeReader.TryDecode(payload, out var value, out _, BencodeReadOptions.Lenient) || value is not BDictionary dict)
        {
            throw new ProtocolViolationException("Bad extension handshake.");
        }
        var ids = new Dictionary<string, byte>(connection.RemoteExtensions);
        if (dict.GetDictionary("m") is { } m)
        {
            foreach (var (key, id) in m)
            {
                if (id is BInteger { Value: >= 0 and <= 255 } n)
                {
                    if (n.Value == 0)
                    {
                        ids.Remove(key.Text);
                    }
                    else
                    {
                        ids[key.Text] = (byte)n.Value;
                    }
                }
            }
        }
        connection.RemoteExtensions = ids;
        connection.RemoteClient = dict.GetText("v");
        connection.SetRemoteExtensionHandshake(dict);
        foreach (var extension in _extensions)
        {
            extension.OnRemoteHandshake(connection, dict);
        }
        return dict;
    }
}
