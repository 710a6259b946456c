using System.Diagnostics;
using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// The origin of a host-form URL, reached as <c>git clone</c> reaches it: through git's own remote helper for its
/// scheme (<c>git remote-http</c>/<c>git remote-https</c>), started once and kept between our <c>list</c> and
/// <c>fetch</c>. Its <c>list</c> is our list (one ref advertisement, as git's), and what the swarm cannot serve is one
/// <c>fetch</c> of it, with git's own <c>check-connectivity</c>: the pack is indexed with
/// <c>--check-self-contained-and-connected</c>, so nobody walks the history again (a plain <c>git fetch</c> would).
/// Protocol v0, which the <c>list</c>/<c>fetch</c> commands of a remote helper speak. The helper's messages (and the
/// origin's <c>remote:</c> lines) reach the user with control characters removed.
/// </summary>
public sealed class OriginClient(string originUrl, string gitDirectory, HelperProgress progress) : IOriginFetcher, IAsyncDisposable
{
    private Process? _helper;
    private Task? _errors;
    private readonly Lock _lock = new();
    private string _lastError = "";
    private OriginRefs? _refs;

    public string Url { get; } = originUrl;

    public string Name => Url;

    /// <summary>
    /// HEAD, refs/heads/* and refs/tags/* as the origin advertises them, the symbolic target of HEAD, and for annotated
    /// tags the commit they peel to.
    /// </summary>
    public async Task<OriginRefs> ListAsync(CancellationToken cancellationToken)
    {
        if (_refs is not null)
        {
            return _refs;
        }
        List<string> lines;
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
            await SendAsync("list", cancellationToken).ConfigureAwait(false);
            lines = await ReadBlockAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new GitTorrentException($"cannot list refs of the origin {Url}: {Reason(e)}");
        }
        _refs = Parse(lines);
        return _refs;
    }

    /// <summary>Fetches the named refs (as listed) into the repository: objects only, no ref is written.</summary>
    public async Task<OriginFetchResult> FetchAsync(string gitDirectory, IReadOnlyList<string> refNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refNames);
        var refs = await ListAsync(cancellationToken).ConfigureAwait(false);
        string? keep = null;
        var connected = false;
        try
        {
            await SendAsync($"option progress {(progress.ShowProgress && progress.Verbosity >= 1 ? "true" : "false")}", cancellationToken)
                .ConfigureAwait(false);
            await ReadBlockAsync(cancellationToken, single: true).ConfigureAwait(false);
            await SendAsync($"option verbosity {progress.Verbosity}", cancellationToken).ConfigureAwait(false);
            await ReadBlockAsync(cancellationToken, single: true).ConfigureAwait(false);
            await SendAsync("option check-connectivity true", cancellationToken).ConfigureAwait(false);
            await ReadBlockAsync(cancellationToken, single: true).ConfigureAwait(false);
            var batch = new StringBuilder();
            foreach (var name in refNames.Distinct())
            {
                if (!refs.Advertised.TryGetValue(name, out var id))
                {
                    throw new GitTorrentException($"the origin {Url} does not advertise {RemoteText.Printable(name)}");
                }
                batch.Append("fetch ").Append(id).Append(' ').Append(name).Append('\n');
            }
            await SendAsync(batch.ToString(), cancellationToken).ConfigureAwait(false);
            foreach (var line in await ReadBlockAsync(cancellationToken).ConfigureAwait(false))
            {
                if (line.StartsWith("lock ", StringComparison.Ordinal))
                {
                    keep = Path.GetFullPath(line[5..], gitDirectory);
                }
                else if (line == "connectivity-ok")
                {
                    connected = true;
                }
            }
        }
        catch (IOException e)
        {
            throw new GitTorrentException($"fetching from the origin {Url} failed: {Reason(e)}");
        }
        return new OriginFetchResult(keep, connected);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheme = Url.StartsWith("https://", StringComparison.Ordinal) ? "https" : "http";
        // The URL as the remote's name, so no remote.<name>.* of the user's configuration (the gittorrent remote) applies.
        var start = GitRunner.CreateStartInfo(Environment.CurrentDirectory, ["-c", "protocol.version=0", "remote-" + scheme, Url, Url],
            new Dictionary<string, string> { ["GIT_DIR"] = gitDirectory });
        _helper = Process.Start(start) ?? throw new IOException("git did not start");
        _helper.StandardInput.NewLine = "\n";
        _errors = PassErrorsAsync(_helper.StandardError);
        await SendAsync("capabilities", cancellationToken).ConfigureAwait(false);
        var capabilities = await ReadBlockAsync(cancellationToken).ConfigureAwait(false);
        if (!capabilities.Contains("fetch") || !capabilities.Contains("check-connectivity"))
        {
            throw new IOException($"git's remote helper for {scheme} cannot fetch with check-connectivity");
        }
    }

    private async Task SendAsync(string command, CancellationToken cancellationToken)
    {
        var helper = _helper ?? throw new IOException("git's remote helper is not running");
        await helper.StandardInput.WriteAsync(command.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (!command.EndsWith('\n'))
        {
            await helper.StandardInput.WriteAsync("\n".AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        if (command.StartsWith("fetch ", StringComparison.Ordinal))
        {
            await helper.StandardInput.WriteAsync("\n".AsMemory(), cancellationToken).ConfigureAwait(false); // ends the batch
        }
        await helper.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lines up to the blank line that ends an answer (or the one line of an <c>option</c> answer).</summary>
    private async Task<List<string>> ReadBlockAsync(CancellationToken cancellationToken, bool single = false)
    {
        var helper = _helper ?? throw new IOException("git's remote helper is not running");
        var lines = new List<string>();
        while (true)
        {
            var line = await helper.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("git's remote helper ended early");
            if (single)
            {
                return [line];
            }
            if (line.Length == 0)
            {
                return lines;
            }
            lines.Add(line);
        }
    }

    /// <summary>The helper's stderr (git's progress and errors) to the user, without control sequences; the last line kept.</summary>
    private async Task PassErrorsAsync(StreamReader errors)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await errors.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var text = new string(buffer, 0, read);
            progress.PassThrough(text);
            var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (!string.IsNullOrEmpty(last))
            {
                using var scope = _lock.EnterScope();
                _lastError = RemoteText.Printable(last);
            }
        }
    }

    private string Reason(IOException e)
    {
        try
        {
            _helper?.WaitForExit(2000);
            _errors?.Wait(2000);
        }
        catch (AggregateException)
        {
            // The reason below is the best we have.
        }
        using var scope = _lock.EnterScope();
        return _lastError.Length > 0 ? _lastError : e.Message;
    }

    private static OriginRefs Parse(List<string> lines)
    {
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        var advertised = new Dictionary<string, string>(StringComparer.Ordinal);
        var peeled = new Dictionary<string, string>(StringComparer.Ordinal);
        string? head = null;
        foreach (var line in lines)
        {
            // "<oid> <name>", "@<target> HEAD" (HEAD's symbolic target), "<oid> <tag>^{}" (what a tag peels to).
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                continue;
            }
            var (left, name) = (line[..space], line[(space + 1)..]);
            if (left.StartsWith('@'))
            {
                if (name == "HEAD")
                {
                    head = left[1..];
                }
                continue;
            }
            if (!Hash20.IsLowerHex40(left))
            {
                continue;
            }
            if (name.EndsWith("^{}", StringComparison.Ordinal))
            {
                peeled[name[..^3]] = left;
                continue;
            }
            advertised[name] = left;
            if (name == "HEAD" || Engine.Profiles.UserProfile.IsValidRefName(name))
            {
                refs[name] = left;
            }
        }
        if (head is not null && !refs.ContainsKey(head))
        {
            head = null;
        }
        return new OriginRefs(refs, head, peeled) { Advertised = advertised };
    }

    public async ValueTask DisposeAsync()
    {
        if (_helper is null)
        {
            return;
        }
        try
        {
            _helper.StandardInput.Close(); // end of commands: the helper exits
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _helper.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            try
            {
                _helper.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended meanwhile.
            }
        }
        if (_errors is not null)
        {
            await _errors.ConfigureAwait(false);
        }
        _helper.Dispose();
    }
}
