using GitTorrent.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitTorrent.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DatabaseSettings"/>, <see cref="IDbContextFactory{GitTorrentDbContext}"/>,
    /// <see cref="DatabaseMigrator"/> and the <see cref="JobStore"/> of leased background jobs. Nothing connects here: hosts call <see cref="DatabaseMigrator.MigrateAsync"/>
    /// once at start (and the portal's <c>migrate</c> command), never per request.
    /// </summary>
    public static IServiceCollection AddGitTorrentData(
        this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        var dataDirectory = DataDirectory.Resolve(configuration, contentRootPath);
        var settings = DatabaseSettings.FromConfiguration(configuration, dataDirectory);
        services.AddSingleton(settings);
        services.AddSingleton<GitTorrentDbContextFactory>();
        services.AddSingleton<IDbContextFactory<GitTorrentDbContext>>(sp => sp.GetRequiredService<GitTorrentDbContextFactory>());
        services.AddSingleton<DatabaseMigrator>();

        // Background work shared by replicas through leases (see Jobs/JobStore.cs).
        services.AddOptions<JobOptions>()
            .BindConfiguration(JobOptions.SectionName)
            .PostConfigure(o => o.Replica ??= ReplicaName.Default(dataDirectory))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<JobStore>();
        return services;
    }
}
