using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;

using GitTorrent.Engine;
using GitTorrent.Engine.Git;

namespace GitTorrent.TestSupport;

/// <summary>
/// A running <c>git cat-file --batch</c> (git's own reading of objects, for tests to compare with): reads many objects through one process. A batch of names is written while
/// the answers are read, so thousands of objects cost one pipe round trip, not one each.
/// </summary>
public sealed class GitCatFile : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private readonly Process _process;
    private readonly Stream _output;
    private readonly Task<string> _drainErrors;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private GitCatFile(Process process)
    {
        _process = process;
        _output = process.StandardOutput.BaseStream;
        _drainErrors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts the process in <paramref name="repositoryPath"/> (a working tree or a git directory).</summary>
    public static GitCatFile Start(string repositoryPath)
    {
        var process = Process.Start(GitRunner.CreateStartInfo(repositoryPath, ["cat-file", "--batch"]))
            ?? throw new GitTorrentException("Could not start git. Is git installed and on PATH?");
        return new GitCatFile(process);
    }

    /// <summary>
    /// Reads each named object (<c>&lt;oid&gt;</c>, <c>&lt;rev&gt;:&lt;path&gt;</c>, <c>&lt;rev&gt;^{commit}</c>, ...);
    /// null for a name git does not find. Contents longer than <paramref name="maxContentBytes"/> are skipped, not kept.
    /// </summary>
    public async Task<IReadOnlyList<GitCatFileObject?>> ReadAsync(IReadOnlyList<string> names, long maxContentBytes,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Any(n => n.Length == 0 || n.AsSpan().IndexOfAny('\n', '\r') >= 0))
        {
            throw new ArgumentException("an object name cannot be empty or contain a line break", nameof(names));
        }
        using var kill = cancellationToken.Register(Kill);
        // On its own thread: a pipe write can block until git has read, and git reads only while we read its answers.
        var write = Task.Run(() => WriteNamesAsync(names, cancellationToken), CancellationToken.None);
        var results = new List<GitCatFileObject?>(names.Count);
        try
        {
            for (var i = 0; i < names.Count; i++)
            {
                results.Add(await ReadOneAsync(maxContentBytes, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (EndOfStreamException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _drainErrors.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            throw new GitCommandException("cat-file --batch", _process.HasExited ? _process.ExitCode : -1, _drainErrors.Result);
        }
        await write.ConfigureAwait(false);
        return results;
    }

    private async Task WriteNamesAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var name in names)
        {
            text.Append(name).Append('\n');
        }
        var input = _process.StandardInput.BaseStream;
        try
        {
            await input.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
            await input.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // git exited; the reader reports it.
        }
    }

    private async Task<GitCatFileObject?> ReadOneAsync(long maxContentBytes, CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var parts = header.Split(' ');
        if (parts.Length != 3 || !Hash20.TryParse(parts[0], out var id)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            // "<name> missing", "<name> ambiguous" and the like.
            return null;
        }
        byte[]? content = null;
        if (size <= maxContentBytes)
        {
            content = new byte[size];
            await ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SkipAsync(size, cancellationToken).ConfigureAwait(false);
        }
        await SkipAsync(1, cancellationToken).ConfigureAwait(false); // the '\n' after the content
        return new GitCatFileObject(id, parts[1], size, content);
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new ArrayBufferWriter<byte>();
        while (true)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            var take = newline < 0 ? _end - _start : newline;
            line.Write(_buffer.AsSpan(_start, take));
            _start += take;
            if (line.WrittenCount > MaxHeaderBytes)
            {
                throw new GitTorrentException("git cat-file answered with an overlong header line");
            }
            if (newline >= 0)
            {
                _start++;
                return Encoding.UTF8.GetString(line.WrittenSpan);
            }
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
            var take = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, take).CopyTo(destination);
            _start += take;
            destination = destination[take..];
        }
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _output.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        if (_end == 0)
        {
            throw new EndOfStreamException();
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
        await _drainErrors.ConfigureAwait(false);
        _process.Dispose();
    }
}
