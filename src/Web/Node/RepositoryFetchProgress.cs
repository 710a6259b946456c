namespace GitTorrent.Web.Node;

/// <summary>How far the fetch of a repository into the store has come.</summary>
/// <param name="Phase">A short human-readable phase, e.g. "finding peers", "receiving pack".</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="BytesTotal">Expected total, or null while unknown.</param>
public sealed record RepositoryFetchProgress(string Phase, long BytesReceived, long? BytesTotal);
