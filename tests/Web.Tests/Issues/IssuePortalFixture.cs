namespace GitTorrent.Web.Tests.Issues;

/// <summary>One portal (SQLite) with <see cref="IssuePortalData"/> seeded, shared by the issue page tests.</summary>
public sealed class IssuePortalFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    internal PortalStorage Storage { get; } = PortalStorage.Sqlite();

    internal IssuePortalData Data { get; } = new();

    internal PortalProcess Portal { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await Data.SeedAsync(Storage, Timeout).WaitAsync(Timeout);
        Portal = await PortalProcess.StartAsync(Storage).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        if (Portal is not null)
        {
            await Portal.DisposeAsync();
        }
        await Storage.DisposeAsync();
    }

    /// <summary>GETs a page and returns its status and HTML, without the scoped-CSS attributes (<c>b-xxxxxxxxxx</c>).</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await Portal.Http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
        var html = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        return (response.StatusCode, System.Text.RegularExpressions.Regex.Replace(html, " b-[a-z0-9]{10}(?=[ >/])", ""));
    }
}
