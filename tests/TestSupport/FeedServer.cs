using System.Net;
using System.Text;

namespace GitTorrent.TestSupport;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 (HttpListener) answering every request through <c>answer</c>: another portal's
/// <c>/api/users</c> feed as a test (or an attacker) wants it. Counts the requests it answered.
/// </summary>
public sealed class FeedServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, (int Status, string Body)> _answer;
    private readonly Task _loop;
    private long _requests;

    private FeedServer(Func<HttpListenerRequest, (int Status, string Body)> answer)
    {
        _answer = answer;
        Port = FreePorts.Tcp();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>The base URL, as <c>GitTorrent__Peers</c> takes it.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public long Requests => Interlocked.Read(ref _requests);

    public static FeedServer Start(Func<HttpListenerRequest, (int Status, string Body)> answer) => new(answer);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                var (status, body) = _answer(context.Request);
                Interlocked.Increment(ref _requests);
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away.
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }
}
