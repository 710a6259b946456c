namespace GitTorrent.Web.Endpoints;

/// <summary>The archive formats of <c>/archive/{ref}.tar.gz</c> and <c>.zip</c>: URL suffix, git's format name, content type.</summary>
public static class ArchiveFormats
{
    public static readonly IReadOnlyList<(string Extension, string GitFormat, string ContentType)> All =
    [
        (".tar.gz", "tar.gz", "application/gzip"),
        (".zip", "zip", "application/zip"),
    ];

    /// <summary>Splits <c>v1.0.tar.gz</c> into <c>v1.0</c> and its format; null when the suffix is none of ours.</summary>
    public static (string Name, string Extension, string GitFormat, string ContentType)? Split(string segment)
    {
        foreach (var (extension, gitFormat, contentType) in All)
        {
            if (segment.Length > extension.Length && segment.EndsWith(extension, StringComparison.Ordinal))
            {
                return (segment[..^extension.Length], extension, gitFormat, contentType);
            }
        }

        return null;
    }

    /// <summary>The folder inside an archive and its file name: <c>{repo}-{ref}</c>, any '/' of either as '-'.</summary>
    public static string PrefixOf(string repository, string refName) =>
        $"{repository.Split('/')[^1]}-{refName.Replace('/', '-')}";
}
