using System.Text;

namespace GitTorrent.Engine.Git;

/// <summary>
/// Git bundles, version 2 (git's <c>gitformat-bundle</c>): the line <c># v2 git bundle</c>, one <c>&lt;oid&gt; &lt;refname&gt;</c>
/// line per ref, an empty line, then a pack holding every object reachable from those refs. With no prerequisite
/// lines (<c>-&lt;oid&gt;</c>) the bundle is complete: <c>git clone</c> and <c>git clone --bundle-uri</c> take it alone.
/// A full pack of the refs' commits built with <c>--include-tag</c> (<see cref="PackBuilder"/> with no haves) is such a
/// pack, so a bundle is this header followed by a cached pack file, byte for byte, with no repacking.
/// </summary>
public static class GitBundle
{
    /// <summary>The first line of a version 2 bundle.</summary>
    public const string Signature = "# v2 git bundle\n";

    /// <summary>The header of a complete bundle of <paramref name="tips"/> (in the order given).</summary>
    public static byte[] Header(IEnumerable<GitRefTip> tips)
    {
        var text = new StringBuilder(Signature);
        foreach (var tip in tips)
        {
            text.Append(tip.Object.ToString()).Append(' ').Append(tip.Name).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.Append('\n').ToString());
    }
}
