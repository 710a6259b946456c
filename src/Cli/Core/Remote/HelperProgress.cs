using GitTorrent.Engine.Fetch;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// Progress and messages on stderr in git's style, honouring <c>option progress</c> and
/// <c>option verbosity</c> (0 = quiet, 1 = normal, 2+ = verbose). Safe to call from parallel fetches: each message is
/// written whole. Messages carry text from others (seeders' errors, profiles, resolvers, origins), so control
/// characters and escape sequences are removed from everything written (<see cref="Engine.RemoteText"/>).
/// </summary>
public sealed class HelperProgress(TextWriter error) : IProgress<FetchReport>
{
    private readonly Lock _lock = new();
    private string? _lastLine;

    public bool ShowProgress { get; set; } = true;

    public int Verbosity { get; set; } = 1;

    /// <summary>A normal message (shown unless quiet).</summary>
    public void Info(string message)
    {
        using var scope = _lock.EnterScope();
        if (Verbosity >= 1)
        {
            EndLine();
            error.WriteLine(Engine.RemoteText.Printable(message));
            error.Flush();
        }
    }

    /// <summary>Detail shown only with -v.</summary>
    public void Verbose(string message)
    {
        using var scope = _lock.EnterScope();
        if (Verbosity >= 2)
        {
            EndLine();
            error.WriteLine(Engine.RemoteText.Printable(message));
            error.Flush();
        }
    }

    /// <summary>Always shown.</summary>
    public void Warning(string message)
    {
        using var scope = _lock.EnterScope();
        EndLine();
        error.WriteLine("warning: " + Engine.RemoteText.Printable(message));
        error.Flush();
    }

    /// <summary>
    /// Output of a git process we run for the user (an origin fetch's progress and messages), as it comes, keeping
    /// the line breaks and carriage returns git's progress uses.
    /// </summary>
    public void PassThrough(string text)
    {
        using var scope = _lock.EnterScope();
        if (Verbosity >= 1)
        {
            EndLine();
            error.Write(Engine.RemoteText.PrintableLines(text));
            error.Flush();
        }
    }

    /// <summary>A counter line rewritten in place, like git's <c>Receiving objects:  42% (42/100)</c>.</summary>
    public void Report(string title, long done, long total, string? suffix = null)
    {
        if (!ShowProgress || Verbosity < 1)
        {
            return;
        }
        using var scope = _lock.EnterScope();
        var percent = total > 0 ? (int)(100 * done / total) : 0;
        var line = Engine.RemoteText.Printable(total > 0 ? $"{title}: {percent,3}% ({done}/{total}){suffix}" : $"{title}: {done}{suffix}");
        if (line == _lastLine)
        {
            return;
        }
        _lastLine = line;
        error.Write("\r" + line);
        if (total > 0 && done >= total)
        {
            error.WriteLine(", done.");
            _lastLine = null;
        }
        error.Flush();
    }

    /// <summary>A fetch's progress: lines, counters and the pack download (once its size is known).</summary>
    public void Report(FetchReport value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.Kind)
        {
            case FetchReportKind.Info:
                Info(value.Message);
                break;
            case FetchReportKind.Verbose:
                Verbose(value.Message);
                break;
            case FetchReportKind.Counter:
                Report(value.Message, value.Done, value.Total);
                break;
            case FetchReportKind.Download when value.Total > 0:
                Report(value.Message, value.Done / 1024, value.Total / 1024, $" KiB, {value.Peers} peer(s)");
                break;
        }
    }

    private void EndLine()
    {
        if (_lastLine is not null)
        {
            error.WriteLine();
            _lastLine = null;
        }
    }
}
