namespace GitTorrent.Cli.Remote;

/// <summary>
/// git's remote-helper protocol (gitremote-helpers(7)) on stdin/stdout: <c>capabilities</c>,
/// <c>list [for-push]</c>, <c>option</c>, batches of <c>fetch</c> and <c>push</c>, ended by a blank line
/// or end of input. Everything else is the backend's job.
/// </summary>
public sealed class RemoteHelperProtocol(TextReader input, TextWriter output, IRemoteHelperBackend backend)
{
    /// <summary>Runs until git closes stdin or sends the final blank line. Returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                return 0;
            }
            var (command, argument) = Split(line);
            switch (command)
            {
                case "capabilities":
                    await WriteAsync("option\nfetch\npush\ncheck-connectivity\n\n").ConfigureAwait(false);
                    break;
                case "list":
                    await ListAsync(argument == "for-push", cancellationToken).ConfigureAwait(false);
                    break;
                case "option":
                    var (name, value) = Split(argument);
                    await WriteAsync(backend.SetOption(name, value) ? "ok\n" : "unsupported\n").ConfigureAwait(false);
                    break;
                case "fetch":
                    await FetchBatchAsync(line, cancellationToken).ConfigureAwait(false);
                    break;
                case "push":
                    await PushBatchAsync(line, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new RemoteHelperException($"unknown command '{command}' from git");
            }
        }
        return 0;
    }

    private async Task ListAsync(bool forPush, CancellationToken cancellationToken)
    {
        var refs = await backend.ListAsync(forPush, cancellationToken).ConfigureAwait(false);
        var text = new System.Text.StringBuilder();
        foreach (var (name, sha) in refs.Refs.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (name == "HEAD" && refs.HeadTarget is not null && refs.Refs.ContainsKey(refs.HeadTarget))
            {
                continue; // reported as a symref below
            }
            text.Append(sha).Append(' ').Append(name).Append('\n');
        }
        if (refs.HeadTarget is not null && refs.Refs.ContainsKey(refs.HeadTarget))
        {
            text.Append('@').Append(refs.HeadTarget).Append(" HEAD\n");
        }
        text.Append('\n');
        await WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    private async Task FetchBatchAsync(string first, CancellationToken cancellationToken)
    {
        var wants = new List<FetchRequest>();
        foreach (var line in await ReadBatchAsync(first, "fetch", cancellationToken).ConfigureAwait(false))
        {
            var (sha, name) = Split(line);
            wants.Add(new FetchRequest(sha, name));
        }
        var report = await backend.FetchAsync(wants, cancellationToken).ConfigureAwait(false);
        await WriteAsync(string.Concat(report.Select(l => l + "\n")) + "\n").ConfigureAwait(false);
    }

    private async Task PushBatchAsync(string first, CancellationToken cancellationToken)
    {
        var requests = new List<PushRequest>();
        foreach (var spec in await ReadBatchAsync(first, "push", cancellationToken).ConfigureAwait(false))
        {
            var force = spec.StartsWith('+');
            var body = force ? spec[1..] : spec;
            var colon = body.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new RemoteHelperException($"malformed push refspec '{spec}'");
            }
            requests.Add(new PushRequest(body[..colon], body[(colon + 1)..], force));
        }
        var results = await backend.PushAsync(requests, cancellationToken).ConfigureAwait(false);
        var text = new System.Text.StringBuilder();
        foreach (var result in results)
        {
            text.Append(result.Error is null ? $"ok {result.Destination}\n" : $"error {result.Destination} {result.Error}\n");
        }
        text.Append('\n');
        await WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    /// <summary>The arguments of a batch of <paramref name="command"/> lines, up to the blank line that ends it.</summary>
    private async Task<List<string>> ReadBatchAsync(string first, string command, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { Split(first).Argument };
        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
        {
            var (next, argument) = Split(line);
            if (next != command)
            {
                throw new RemoteHelperException($"'{next}' inside a batch of '{command}' commands");
            }
            arguments.Add(argument);
        }
        return arguments;
    }

    private async Task WriteAsync(string text)
    {
        await output.WriteAsync(text).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    private static (string Command, string Argument) Split(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
    }
}
