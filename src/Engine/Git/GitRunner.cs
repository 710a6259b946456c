using System.Diagnostics;
using System.Text;

namespace GitTorrent.Engine.Git;

/// <summary>
/// Runs the real <c>git</c> with a sanitised environment: variables that would redirect git to
/// another repository, object store or config (GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_CONFIG_*, …) are
/// removed so a caller's environment (e.g. git running our remote helper) cannot leak in.
/// </summary>
public static class GitRunner
{
    /// <summary>Executable name or path; tests may point it elsewhere.</summary>
    public static string GitExecutable { get; set; } = "git";

    private static readonly string[] ScrubbedVariables =
    [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT", "GIT_QUARANTINE_PATH", "GIT_PROTOCOL", "GIT_EXEC_PATH", "GIT_SHALLOW_FILE",
        "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE", "GIT_TRACE", "GIT_TRACE_PACKET", "GIT_EXTERNAL_DIFF",
    ];

    /// <summary>Creates a start-info for <c>git</c> in <paramref name="workingDirectory"/> with a clean environment.</summary>
    public static ProcessStartInfo CreateStartInfo(string workingDirectory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(GitExecutable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }
        foreach (var name in ScrubbedVariables)
        {
            psi.Environment.Remove(name);
        }
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("GIT_CONFIG_KEY_", StringComparison.Ordinal)
                     || k.StartsWith("GIT_CONFIG_VALUE_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["LC_ALL"] = "C";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }
        return psi;
    }

    /// <summary>Runs git to completion and returns its stdout as text; throws <see cref="GitCommandException"/> on failure.</summary>
    public static async Task<string> RunAsync(string workingDirectory, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await RunCapturedAsync(workingDirectory, arguments, cancellationToken, standardInput, environment)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new GitCommandException(string.Join(' ', arguments), result.ExitCode, result.StandardError);
        }
        return result.StandardOutput;
    }

    /// <summary>Runs git to completion; the caller inspects the exit code.</summary>
    public static async Task<GitResult> RunCapturedAsync(string workingDirectory, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(CreateStartInfo(workingDirectory, arguments, environment))
            ?? throw new GitTorrentException("Could not start git. Is git installed and on PATH?");
        using var kill = cancellationToken.Register(() => TryKill(process));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git exited before reading all of its input; its exit code and stderr say why.
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new GitResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// Runs git with stdout copied to <paramref name="output"/> (binary-safe: packs) and optional binary stdin.
    /// </summary>
    public static async Task RunToStreamAsync(string workingDirectory, IReadOnlyList<string> arguments, Stream output,
        CancellationToken cancellationToken, string? standardInput = null, Stream? binaryInput = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(CreateStartInfo(workingDirectory, arguments, environment))
            ?? throw new GitTorrentException("Could not start git. Is git installed and on PATH?");
        using var kill = cancellationToken.Register(() => TryKill(process));
        var stderr = ReadBoundedAsync(process.StandardError);
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        // An input that arrives slowly (a pack streamed while it downloads) stops being read as soon as git exits.
        using var inputStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => TryCancel(inputStop), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            if (binaryInput is not null)
            {
                await binaryInput.CopyToAsync(process.StandardInput.BaseStream, inputStop.Token).ConfigureAwait(false);
            }
            else if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), inputStop.Token).ConfigureAwait(false);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git closed its input early; the exit code decides.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // git exited before it read all its input; the exit code decides.
        }
        catch
        {
            // The input failed (a streamed download stopped): git must not go on with half a pack.
            TryKill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        try
        {
            await copy.ConfigureAwait(false);
        }
        finally
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            throw new GitCommandException(string.Join(' ', arguments), process.ExitCode, await stderr.ConfigureAwait(false));
        }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        // Keep the last 64 KiB of stderr: enough for an error message, bounded for chatty progress output.
        const int Limit = 64 * 1024;
        var builder = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            builder.Append(buffer, 0, n);
            if (builder.Length > 2 * Limit)
            {
                builder.Remove(0, builder.Length - Limit);
            }
        }
        return builder.ToString();
    }

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended first.
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
