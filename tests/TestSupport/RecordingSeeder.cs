using System.Collections.Concurrent;
using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.TestSupport;

/// <summary>
/// A peer on the real wire protocol (our <see cref="TorrentEngine"/>) that accepts a bare connection for any commit,
/// keeps the bytes of every <c>ut_gittorrent</c> message it receives, and answers each request with an error of the
/// text it was given (which may be hostile: escape sequences and all). Announce it with <see cref="PrivateDht.AnnounceAsync"/>.
/// </summary>
public sealed class RecordingSeeder : IAsyncDisposable, IUnknownInfoHashHandler
{
    private readonly TorrentEngine _engine;
    private readonly Recorder _recorder;

    private RecordingSeeder(string error)
    {
        _recorder = new Recorder(error);
        _engine = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback, ListenPort = 0 });
        _engine.Extensions.Register(_recorder);
        _engine.UnknownInfoHashHandler = this;
    }

    public int Port => _engine.Port;

    /// <summary>The payloads of the <c>ut_gittorrent</c> messages received, in order (bencoded, as sent).</summary>
    public IReadOnlyList<byte[]> Requests => [.. _recorder.Requests];

    /// <summary>Completes when the first request has arrived.</summary>
    public Task FirstRequest => _recorder.First.Task;

    public static async Task<RecordingSeeder> StartAsync(string error, CancellationToken cancellationToken)
    {
        var seeder = new RecordingSeeder(error);
        await seeder._engine.StartAsync(cancellationToken);
        return seeder;
    }

    public ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();

    private sealed class Recorder(string error) : IExtension
    {
        public ConcurrentQueue<byte[]> Requests { get; } = new();

        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => GitTorrentMessage.ExtensionName;

        public void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload)
        {
            Requests.Enqueue(payload.ToArray());
            First.TrySetResult();
            if (GitTorrentMessage.TryDecode(payload, out var message, out _) && message.Kind == GitTorrentMessageKind.Request)
            {
                connection.SendExtended(Name, GitTorrentMessage.Failure(message.Sha, error).Encode());
            }
        }
    }
}
