using GitTorrent.TestSupport;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// An HTTP forwarder in front of a node's JSON-RPC port that holds back <c>getblockhash</c> for heights above
/// the gate set by <see cref="Open"/> until the next run opens it. It bounds how far an indexer can get between two of the kill test's
/// polls, so a kill lands where the test aims it however loaded the machine is, instead of racing a sync that
/// covers 2,000 blocks in well under a second.
/// </summary>
internal sealed class RpcHeightGate : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Lock _lock = new();
    private TaskCompletionSource _raised = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _run = new();
    private int _gate = int.MaxValue;
    private int _held;
    private DateTime _heldSince;

    public RpcHeightGate(Uri target)
    {
        _target = target;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePorts.Tcp();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Url = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // another process took the port between the probe and the bind
            }
        }
        _accepting = AcceptAsync();
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>
    /// Starts a new run: requests still held from the previous one (whose caller was killed) are dropped, and from now
    /// on the hashes of heights up to <paramref name="gate"/> are handed out; higher ones wait.
    /// </summary>
    public void Open(int gate)
    {
        TaskCompletionSource raised;
        CancellationTokenSource previous;
        lock (_lock)
        {
            _gate = gate;
            raised = _raised;
            _raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            previous = _run;
            _run = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            _held = 0;
        }
        previous.Cancel();
        previous.Dispose();
        raised.TrySetResult();
    }

    /// <summary>How long a request has been held at the gate, or null while none is.</summary>
    public TimeSpan? HeldFor
    {
        get { lock (_lock) { return _held > 0 ? DateTime.UtcNow - _heldSince : null; } }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(reader, _stop.Token).ConfigureAwait(false);
            var body = reader.ToArray();
            if (RequestedHeight(body) is { } height)
            {
                await WaitForGateAsync(height).ConfigureAwait(false); // throws when the next run opens the gate
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            if (context.Request.Headers["Authorization"] is { } auth)
            {
                request.Headers.TryAddWithoutValidation("Authorization", auth);
            }
            using var response = await _http.SendAsync(request, _stop.Token).ConfigureAwait(false);
            var reply = await response.Content.ReadAsByteArrayAsync(_stop.Token).ConfigureAwait(false);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = reply.Length;
            await context.Response.OutputStream.WriteAsync(reply, _stop.Token).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception)
        {
            // the indexer was killed while its request waited, or the gate is shutting down
            try
            {
                context.Response.Abort();
            }
            catch (Exception)
            {
                // already gone
            }
        }
    }

    private async Task WaitForGateAsync(int height)
    {
        CancellationToken run;
        Task raised;
        lock (_lock)
        {
            if (height <= _gate)
            {
                return;
            }
            if (_held++ == 0)
            {
                _heldSince = DateTime.UtcNow;
            }
            run = _run.Token;
            raised = _raised.Task;
        }
        // Held until the next Open: that either lets it through (a higher gate, the same run going on) or drops it.
        await raised.WaitAsync(run).ConfigureAwait(false);
        lock (_lock)
        {
            if (run.IsCancellationRequested || height > _gate)
            {
                throw new OperationCanceledException(run);
            }
        }
    }

    private static int? RequestedHeight(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("method", out var method) && method.ValueEquals("getblockhash")
                && root.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Array
                && parameters.GetArrayLength() > 0 && parameters[0].TryGetInt32(out var height)
                ? height
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _run.Dispose();
        }
        _listener.Stop();
        _listener.Close();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // stopped
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
