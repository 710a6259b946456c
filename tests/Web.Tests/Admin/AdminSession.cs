using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitTorrent.Web.Tests.Admin;

/// <summary>Admin sign-in over plain HTTP as a browser does it: GET the Blazor form, take its antiforgery token, post it.</summary>
internal static partial class AdminSession
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public const string Password = "a much better password";

    /// <summary>Creates the admin with <c>admin create-user</c>; returns its one-time password.</summary>
    public static async Task<string> CreateAsync(PortalStorage storage, string name)
    {
        var created = await PortalProcess.RunCommandAsync(storage, "admin", "create-user", name).WaitAsync(Timeout);
        Assert.True(created.ExitCode == 0, created.Describe());
        return Assert.Single(created.StandardOutput, l => l.StartsWith("One-time password: ", StringComparison.Ordinal))["One-time password: ".Length..];
    }

    /// <summary>Signs in with the one-time password and sets <see cref="Password"/>: the client then has full rights.</summary>
    public static async Task FirstSignInAsync(HttpClient client, string name, string oneTimePassword)
    {
        var login = await SignInAsync(client, name, oneTimePassword);
        Assert.Equal(HttpStatusCode.Found, login.Status);
        var changed = await SubmitFormAsync(client, "/admin/password", "admin-password", new() { ["Input.Current"] = oneTimePassword, ["Input.Next"] = Password });
        Assert.Equal(HttpStatusCode.Found, changed.Status);
    }

    public static Task<(HttpStatusCode Status, string Body, string? Location)> SignInAsync(HttpClient client, string name, string password) =>
        SubmitFormAsync(client, "/admin/login", "admin-login", new() { ["Input.UserName"] = name, ["Input.Password"] = password });

    /// <summary>The portal's counters (<c>/api/admin/stats</c>), read by a signed-in admin.</summary>
    public static async Task<long> CounterAsync(HttpClient admin, string name)
    {
        using var response = await admin.GetAsync(new Uri("/api/admin/stats", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        return json.RootElement.GetProperty("counters").GetProperty(name).GetInt64();
    }

    /// <summary>GETs the page, takes its antiforgery token and posts the named Blazor form.</summary>
    public static async Task<(HttpStatusCode Status, string Body, string? Location)> SubmitFormAsync(
        HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var token = await FormTokenAsync(client, path);
        return await PostFormAsync(client, path, formName, token, fields);
    }

    public static async Task<string> FormTokenAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
        var page = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {page[..Math.Min(page.Length, 2000)]}");
        var token = TokenPattern().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {path}");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    public static async Task<(HttpStatusCode Status, string Body, string? Location)> PostFormAsync(
        HttpClient client, string path, string formName, string token, Dictionary<string, string> fields, Action<HttpRequestMessage>? configure = null)
    {
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = token;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new FormUrlEncodedContent(fields) };
        configure?.Invoke(request);
        using var response = await client.SendAsync(request).WaitAsync(Timeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(Timeout), response.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
