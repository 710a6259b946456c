using GitTorrent.Engine.Profiles;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Identity;

/// <summary>
/// The portal's own ed25519 identity, <c>&lt;DataDir&gt;/identity</c>, created on first use. Mirrors are published
/// under its user id (<c>/u/&lt;id&gt;/&lt;mirror&gt;</c>, <c>gittorrent://&lt;id&gt;/&lt;mirror&gt;</c>).
/// </summary>
public sealed class PortalIdentity(IOptions<PortalOptions> options) : IDisposable
{
    private readonly Lock gate = new();
    private UserIdentity? identity;

    public string FilePath { get; } = Path.Combine(options.Value.DataDir, "identity");

    public UserIdentity Identity
    {
        get
        {
            lock (gate)
            {
                return identity ??= LoadOrCreate();
            }
        }
    }

    /// <summary>40 lowercase hex chars.</summary>
    public string UserId => Identity.UserId.ToString();

    public void Dispose() => identity?.Dispose();

    private UserIdentity LoadOrCreate()
    {
        if (File.Exists(FilePath))
        {
            return UserIdentity.Load(FilePath);
        }

        var created = UserIdentity.Generate();
        try
        {
            created.Save(FilePath);
            return created;
        }
        catch (IOException) when (File.Exists(FilePath))
        {
            // Another process (a maintenance command) created it first: use that one.
            created.Dispose();
            return UserIdentity.Load(FilePath);
        }
    }
}
