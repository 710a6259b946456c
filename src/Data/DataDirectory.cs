using Microsoft.Extensions.Configuration;

namespace GitTorrent.Data;

/// <summary>Resolves <c>GitTorrent:DataDir</c> (default <c>./data</c>) against the host's content root.</summary>
public static class DataDirectory
{
    public const string ConfigurationKey = "GitTorrent:DataDir";
    public const string Default = "./data";

    public static string Resolve(IConfiguration configuration, string contentRootPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[ConfigurationKey];
        var relative = string.IsNullOrWhiteSpace(configured) ? Default : configured;
        return Path.GetFullPath(Path.Combine(contentRootPath, relative));
    }
}
