using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitTorrent.Interop.Tests.Dht;

/// <summary>
/// A third-party DHT node in a child process, driven by JSON lines on stdin and reporting JSON lines
/// on stdout. Every read has a timeout; disposal kills the whole process tree.
/// </summary>
internal sealed class ExternalPeer : IDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(45);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ExternalPeer(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public static ExternalPeer Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new ExternalPeer(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}."));
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async Task SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command)).WaitAsync(ReadTimeout);
        await _process.StandardInput.FlushAsync().WaitAsync(ReadTimeout);
    }

    /// <summary>Reads lines until one whose "event" is <paramref name="eventName"/>.</summary>
    public async Task<JsonObject> ReadEventAsync(string eventName)
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No '{eventName}' within {ReadTimeout}. stderr:\n{StandardError}");
            }
            if (line is null)
            {
                throw new InvalidOperationException($"The peer exited before '{eventName}'. stderr:\n{StandardError}");
            }
            if (line.StartsWith('{') && JsonNode.Parse(line) is JsonObject obj)
            {
                if ((string?)obj["event"] == eventName)
                {
                    return obj;
                }
                if ((string?)obj["event"] == "crash")
                {
                    throw new InvalidOperationException($"The peer crashed: {obj["message"]}. stderr:\n{StandardError}");
                }
            }
        }
    }

    public async Task<JsonObject> CallAsync(object command, string eventName)
    {
        await SendAsync(command);
        return await ReadEventAsync(eventName);
    }

    /// <summary>The folder holding GitTorrent.slnx, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GitTorrent.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("GitTorrent.slnx not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Ask politely first so the peer can clean up its temporary files, then make sure.
                try
                {
                    _process.StandardInput.WriteLine("{\"cmd\":\"quit\"}");
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // its stdin is already gone
                }
                _process.WaitForExit(3_000);
            }
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
