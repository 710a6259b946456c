namespace GitTorrent.Web.Node;

/// <summary>
/// Hook for the engine: called after a repository in the store changed, e.g. to announce its new tips, build
/// and seed packs and re-publish the portal's profile. Register any number:
/// <c>services.AddSingleton&lt;IRepositoryUpdatedHandler, MySeeder&gt;()</c>. A handler that throws is logged and
/// does not stop the others.
/// </summary>
public interface IRepositoryUpdatedHandler
{
    Task OnRepositoryUpdatedAsync(RepositoryUpdated update, CancellationToken cancellationToken);
}
