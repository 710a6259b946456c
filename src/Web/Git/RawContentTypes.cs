using System.Collections.Frozen;

namespace GitTorrent.Web.Git;

/// <summary>
/// The content types <c>/raw</c> may send for images, by file extension; everything else is text/plain or an
/// octet-stream attachment. SVG is an image here too: served with a sandboxing CSP and shown through &lt;img&gt;,
/// where its scripts never run.
/// </summary>
public static class RawContentTypes
{
    private static readonly FrozenDictionary<string, string> Images = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static bool IsImage(string path) => Images.ContainsKey(Path.GetExtension(path));

    /// <summary>The image content type of a path, or null when it is not one of the images above.</summary>
    public static string? ImageTypeOf(string path) => Images.GetValueOrDefault(Path.GetExtension(path));
}
