using GitTorrent.Engine.Base;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// <c>ut_gittorrent</c> (docs/PROTOCOL.md section 4) on the BEP 10 registry, both roles. As a seeder it answers
/// <c>{sha, have, want}</c> with <c>{infoHash}</c> from an <see cref="IGitTorrentPackProvider"/>, or at once with
/// <c>{sha, error}</c>. As a client, <see cref="AskAsync"/> sends a request and waits for the answer. A seeder answers
/// at most <paramref name="maxConcurrentRequests"/> requests at once (each waits for a pack from the cache or a build);
/// more are answered "busy" at once, counted in <see cref="RequestsRefused"/> and logged through
/// <paramref name="limitLog"/>.
/// </summary>
public sealed partial class GitTorrentExtension(IGitTorrentPackProvider? provider = null, ILogger? logger = null,
    int maxConcurrentRequests = GitTorrentExtension.DefaultMaxConcurrentRequests, LimitLog? limitLog = null) : IExtension
{
    private const string PendingKey = "ut_gittorrent.pending";

    /// <summary>Default of <see cref="MaxConcurrentRequests"/> (the node's <c>MaxConcurrentRequests</c> limit).</summary>
    public const int DefaultMaxConcurrentRequests = 16;

    /// <summary>
    /// The error a seeder answers while it answers <see cref="MaxConcurrentRequests"/> requests, or when a bound of its
    /// pack builds (in all, or for the requester's address) is reached: ask again later.
    /// </summary>
    public const string BusyReason = "busy, try another peer";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly LimitLog _limitLog = limitLog ?? new LimitLog(logger ?? NullLogger.Instance, TimeProvider.System);
    private int _inFlight;

    /// <summary>Requests answered at once; more are refused with <see cref="BusyReason"/>.</summary>
    public int MaxConcurrentRequests { get; } = maxConcurrentRequests > 0 ? maxConcurrentRequests
        : throw new ArgumentOutOfRangeException(nameof(maxConcurrentRequests), "must be positive");

    public string Name => GitTorrentMessage.ExtensionName;

    /// <summary>Requests received, replies sent, errors sent and malformed messages dropped.</summary>
    public long RequestsReceived => Interlocked.Read(ref _requests);
    public long RepliesSent => Interlocked.Read(ref _replies);
    public long ErrorsSent => Interlocked.Read(ref _errors);
    public long MalformedDropped => Interlocked.Read(ref _malformed);

    /// <summary>Requests refused because <see cref="MaxConcurrentRequests"/> were being answered.</summary>
    public long RequestsRefused => Interlocked.Read(ref _refused);

    private long _refused;
    private long _requests;
    private long _replies;
    private long _errors;
    private long _malformed;

    public void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload)
    {
        if (!GitTorrentMessage.TryDecode(payload, out var message, out var reason))
        {
            Interlocked.Increment(ref _malformed);
            LogMalformed(_logger, connection.RemoteEndPoint.ToString(), reason ?? "");
            return;
        }
        if (message.Kind == GitTorrentMessageKind.Request)
        {
            Interlocked.Increment(ref _requests);
            _ = ServeAsync(connection, message);
            return;
        }
        if (connection.Properties.TryGetValue(PendingKey, out var pending) && pending is TaskCompletionSource<GitTorrentMessage> tcs)
        {
            tcs.TrySetResult(message);
        }
    }

    /// <summary>
    /// Sends <c>{sha, have, want}</c> on <paramref name="connection"/> (made with <c>ConnectBareAsync(sha, …)</c>) and
    /// returns the seeder's reply or error. Throws <see cref="GitTorrentException"/> when the peer does not speak
    /// ut_gittorrent or does not answer within <paramref name="timeout"/>.
    /// </summary>
    public static Task<GitTorrentMessage> AskAsync(PeerConnection connection, Hash20 sha, IReadOnlyList<Hash20> haves,
        TimeSpan timeout, CancellationToken cancellationToken) => AskAsync(connection, sha, haves, [], timeout, cancellationToken);

    /// <summary>The same, also asking for <paramref name="moreWants"/> in the same pack (ours).</summary>
    public static async Task<GitTorrentMessage> AskAsync(PeerConnection connection, Hash20 sha, IReadOnlyList<Hash20> haves,
        IReadOnlyList<Hash20> moreWants, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Closed);
        deadline.CancelAfter(timeout);
        try
        {
            await connection.RemoteExtensionHandshake.WaitAsync(deadline.Token).ConfigureAwait(false);
            if (!connection.RemoteExtensions.ContainsKey(GitTorrentMessage.ExtensionName))
            {
                throw new GitTorrentException($"peer {connection.RemoteEndPoint} does not speak ut_gittorrent");
            }
            var tcs = new TaskCompletionSource<GitTorrentMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Properties[PendingKey] = tcs;
            var request = GitTorrentMessage.Request(sha, [.. haves.Take(GitTorrentMessage.MaxHaves)],
                [.. moreWants.Where(w => w != sha).Distinct().Take(GitTorrentMessage.MaxWants)]);
            if (!connection.SendExtended(GitTorrentMessage.ExtensionName, request.Encode()))
            {
                throw new GitTorrentException($"peer {connection.RemoteEndPoint} closed the connection");
            }
            return await tcs.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GitTorrentException(connection.IsClosed
                ? $"peer {connection.RemoteEndPoint} closed the connection before answering"
                : $"peer {connection.RemoteEndPoint} did not answer within {timeout.TotalSeconds:0} s");
        }
    }

    private async Task ServeAsync(PeerConnection connection, GitTorrentMessage request)
    {
        if (provider is null)
        {
            Reply(connection, GitTorrentMessage.Failure(request.Sha, "this peer does not serve packs"));
            return;
        }
        if (Interlocked.Increment(ref _inFlight) > MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref _inFlight);
            _limitLog.Bit(ref _refused, nameof(MaxConcurrentRequests));
            Reply(connection, GitTorrentMessage.Failure(request.Sha, BusyReason));
            return;
        }
        connection.BeginWork();
        try
        {
            var infoHash = await provider.GetPackInfoHashAsync(request.Sha, request.Wants, request.Haves, connection.RemoteEndPoint.Address,
                connection.Closed).ConfigureAwait(false);
            Interlocked.Increment(ref _replies);
            Reply(connection, GitTorrentMessage.Reply(infoHash));
            LogServed(_logger, request.Sha.ToString(), infoHash.ToString(), connection.RemoteEndPoint.ToString());
        }
        catch (Git.PackBuildRefusedException)
        {
            Reply(connection, GitTorrentMessage.Failure(request.Sha, BusyReason));
        }
        catch (GitTorrentException e)
        {
            Reply(connection, GitTorrentMessage.Failure(request.Sha, e.Message));
        }
        catch (OperationCanceledException)
        {
            // The requester went away.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogServeFailed(_logger, request.Sha.ToString(), e.Message);
            Reply(connection, GitTorrentMessage.Failure(request.Sha, "internal error while building the pack"));
        }
        finally
        {
            connection.EndWork();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Reply(PeerConnection connection, GitTorrentMessage message)
    {
        if (message.Kind == GitTorrentMessageKind.Error)
        {
            Interlocked.Increment(ref _errors);
        }
        connection.SendExtended(GitTorrentMessage.ExtensionName, message.Encode());
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a malformed ut_gittorrent message from {Peer}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Served commit {Commit} as pack {InfoHash} to {Peer}")]
    private static partial void LogServed(ILogger logger, string commit, string infoHash, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not build the pack for {Commit}: {Reason}")]
    private static partial void LogServeFailed(ILogger logger, string commit, string reason);
}
