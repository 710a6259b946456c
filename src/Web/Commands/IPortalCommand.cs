namespace GitTorrent.Web.Commands;

/// <summary>A maintenance command of the portal executable (<c>dotnet run --project src/Web -- &lt;name&gt; ...</c>).</summary>
public interface IPortalCommand
{
    /// <summary>The first word on the command line.</summary>
    string Name { get; }

    /// <summary>One or more usage lines, shown by <c>--help</c> and on bad arguments.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the words after its name; returns the process exit code.</summary>
    Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken);
}
