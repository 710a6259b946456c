using GitTorrent.Engine.Issues;
using GitTorrent.Web.Forks;
using GitTorrent.Web.Node;

namespace GitTorrent.Web.Issues;

public static class IssueServiceCollectionExtensions
{
    /// <summary>Issues stored in repositories, forks and comparisons: their settings, services and background index.</summary>
    public static IServiceCollection AddIssuesAndForks(this IServiceCollection services)
    {
        services.AddOptions<IssueLimits>().BindConfiguration(IssueLimits.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IssuePageOptions>().BindConfiguration(IssuePageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForkOptions>().BindConfiguration(ForkOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IssueIndex>();
        services.AddSingleton<IssueAuthors>();
        services.AddSingleton<IssueMarkdown>();
        services.AddSingleton<IssueProposals>();
        services.AddSingleton<CompareWorkspaces>();
        services.AddSingleton<CompareService>();
        services.AddSingleton<ForkIndex>();
        services.AddSingleton<IRepositoryUpdatedHandler>(sp => sp.GetRequiredService<ForkIndex>());
        services.AddHostedService(sp => sp.GetRequiredService<ForkIndex>());
        return services;
    }
}
