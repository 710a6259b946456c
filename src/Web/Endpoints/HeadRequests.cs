namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Every page answers <c>HEAD</c> as it answers <c>GET</c>: the request runs as a GET (same routing, same headers,
/// same status) and Kestrel sends no body for it. Endpoints that stream expensive bodies (raw files, archives) ask
/// <see cref="IsHead"/> and stop after the headers.
/// </summary>
public static class HeadRequests
{
    private static readonly object Key = new();

    public static bool IsHead(HttpContext context) => context.Items.ContainsKey(Key);

    /// <summary>Middleware, before routing.</summary>
    public static Task AsGet(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Items[Key] = true;
            context.Request.Method = HttpMethods.Get;
        }

        return next();
    }
}
