using System.Diagnostics;
using System.Text;
using GitTorrent.Engine.Git;

namespace GitTorrent.Cli.Issues;

/// <summary>
/// Where an issue or comment body comes from, as for <c>git commit</c>: <c>--body</c>, <c>--body-file</c> (<c>-</c> =
/// standard input), else the editor git would start (<c>git var GIT_EDITOR</c>: <c>$GIT_EDITOR</c>, <c>core.editor</c>,
/// <c>$VISUAL</c>, <c>$EDITOR</c>) on a file in the git directory. Everything from the scissors line down is dropped,
/// so Markdown headings (<c>#</c>) survive.
/// </summary>
internal static class IssueBodyReader
{
    public const string Scissors = "# ------------------------ >8 ------------------------";

    /// <summary>The body, or a one-line error. <paramref name="maxBytes"/> bounds what is read from a file or stdin.</summary>
    public static async Task<(string? Body, string? Error)> ReadAsync(IssueArguments arguments, string gitDirectory, string what,
        int maxBytes, CancellationToken cancellationToken)
    {
        if (arguments.Body is not null)
        {
            return (arguments.Body, null);
        }
        if (arguments.BodyFile is { } file)
        {
            try
            {
                await using var stream = file == "-" ? Console.OpenStandardInput() : File.OpenRead(Path.GetFullPath(file, arguments.Directory));
                var bytes = await ReadBoundedAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
                return bytes is null ? (null, $"{file} is larger than {maxBytes} bytes") : (Encoding.UTF8.GetString(bytes), null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"cannot read {file}: {e.Message}");
            }
        }
        return await EditAsync(gitDirectory, what, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string? Body, string? Error)> EditAsync(string gitDirectory, string what, CancellationToken cancellationToken)
    {
        var editor = (await GitRunner.RunCapturedAsync(gitDirectory, ["var", "GIT_EDITOR"], cancellationToken).ConfigureAwait(false))
            .StandardOutput.Trim();
        if (editor.Length == 0)
        {
            return (null, "no editor: give --body or --body-file, or set GIT_EDITOR or EDITOR");
        }
        if (editor == ":")
        {
            return ("", null);
        }
        var path = Path.Combine(gitDirectory, "ISSUE_EDITMSG");
        await File.WriteAllTextAsync(path, $"\n{Scissors}\n# Write the {what} above this line, in Markdown. Everything below it is ignored.\n",
            cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", editor + " \"$@\"", editor, path])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start);
        if (process is null)
        {
            return (null, $"could not start the editor '{editor}'");
        }
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            return (null, $"the editor '{editor}' exited with {process.ExitCode}; nothing was committed");
        }
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var cut = text.IndexOf(Scissors, StringComparison.Ordinal);
        return ((cut >= 0 ? text[..cut] : text).Trim('\n', '\r', ' ', '\t'), null);
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }
        return buffer.ToArray();
    }
}
