namespace GitTorrent.Cli.Remote;

/// <summary>What <see cref="RemoteHelperProtocol"/> asks of the transport behind a remote.</summary>
public interface IRemoteHelperBackend
{
    /// <summary>Refs of the remote (name to 40-hex id), plus the symbolic target of HEAD if known.</summary>
    Task<RemoteRefs> ListAsync(bool forPush, CancellationToken cancellationToken);

    /// <summary>
    /// Brings the objects of the wanted commits into the local repository. Returns the lines to send git before the
    /// blank line that ends the batch (<c>lock &lt;file&gt;</c>, <c>connectivity-ok</c>), usually none.
    /// </summary>
    Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<FetchRequest> wants, CancellationToken cancellationToken);

    /// <summary>Pushes refs; returns one result per refspec, in order.</summary>
    Task<IReadOnlyList<PushResult>> PushAsync(IReadOnlyList<PushRequest> refspecs, CancellationToken cancellationToken);

    /// <summary>Applies <c>option name value</c>; false for an option the backend does not support.</summary>
    bool SetOption(string name, string value);
}

public sealed record RemoteRefs(IReadOnlyDictionary<string, string> Refs, string? HeadTarget);

public sealed record FetchRequest(string Sha, string RefName);

public sealed record PushRequest(string Source, string Destination, bool Force);

public sealed record PushResult(string Destination, string? Error);
