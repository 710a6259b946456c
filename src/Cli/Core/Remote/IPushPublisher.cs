namespace GitTorrent.Cli.Remote;

/// <summary>After a push into the local store: re-sign and put the profile (seq+1) and announce the new tips.</summary>
public interface IPushPublisher
{
    Task PublishAsync(string repositoryName, CancellationToken cancellationToken);
}
