namespace GitTorrent.Web.Security;

/// <summary>
/// Headers on every response: a strict Content-Security-Policy (scripts, styles, images and connections from the
/// portal itself only: no inline script or style, no eval, no plugins, no framing by other sites), no referrer to other
/// sites, and no MIME sniffing. Blazor Server works under it: <c>blazor.web.js</c> is a file, its circuit a same-origin
/// WebSocket, and the reconnect dialog is our own markup (App.razor) styled from <c>app.css</c>, so the framework never
/// injects its inline <c>&lt;style&gt;</c>. Responses that set their own policy (<c>/raw</c>: a sandbox) keep theirs.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    public const string ReferrerPolicy = "same-origin";

    public static Task AddAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = ReferrerPolicy;
        headers.XContentTypeOptions = "nosniff";
        return next();
    }
}
