namespace GitTorrent.Engine.Git;

/// <summary>
/// The object checks git's own fetch applies to a received pack, read from the target repository's configuration (which
/// includes the user's and the system's): <c>fetch.fsckObjects</c>, else <c>transfer.fsckObjects</c>, decide whether
/// objects are checked; <c>fetch.fsck.&lt;msg-id&gt;</c> (error, warn or ignore) and <c>fetch.fsck.skipList</c> tune the
/// checks, passed to <c>git index-pack --strict=…</c> as fetch-pack passes them. One difference: when neither setting is
/// present git does not check, we do (a pack from strangers is checked unless the user said no).
/// </summary>
public sealed record FetchFsckSettings(bool CheckObjects, string MessageTypes)
{
    /// <summary>Checks on, git's default message levels: what applies when nothing is configured.</summary>
    public static FetchFsckSettings Default { get; } = new(true, "");

    /// <summary>
    /// The message ids git's fsck knows (git-fsck(1), "FSCK MESSAGES"), lowercased as git config prints them. A
    /// <c>fetch.fsck.&lt;id&gt;</c> naming another is skipped, as git's fetch skips it with a warning (index-pack itself
    /// would stop on it).
    /// </summary>
    private static readonly HashSet<string> MessageIds = new(StringComparer.Ordinal)
    {
        "baddate", "baddateoverflow", "bademail", "badfilemode", "badname", "badobjectsha1", "badparentsha1", "badtagname",
        "badtimezone", "badtree", "badtreesha1", "badtype", "duplicateentries", "emptyname", "extraheaderentry",
        "fullpathname", "gitattributesblob", "gitattributeslarge", "gitattributeslinelength", "gitattributesmissing",
        "gitattributessymlink", "gitignoresymlink", "gitmodulesblob", "gitmoduleslarge", "gitmodulesmissing",
        "gitmodulesname", "gitmodulesparse", "gitmodulespath", "gitmodulessymlink", "gitmodulesupdate", "gitmodulesurl",
        "hasdot", "hasdotdot", "hasdotgit", "mailmapsymlink", "missingauthor", "missingcommitter", "missingemail",
        "missingnamebeforeemail", "missingobject", "missingspacebeforedate", "missingspacebeforeemail", "missingtag",
        "missingtagentry", "missingtaggerentry", "missingtree", "missingtype", "missingtypeentry", "multipleauthors",
        "nulincommit", "nulinheader", "nullsha1", "treenotsorted", "unknowntype", "unterminatedheader", "zeropaddeddate",
        "zeropaddedfilemode",
    };

    /// <summary>The <c>index-pack</c> argument that checks objects with these settings' message levels.</summary>
    public string StrictArgument => "--strict" + MessageTypes;

    /// <summary>Reads the settings that apply to fetches into <paramref name="gitDirectory"/>.</summary>
    public static async Task<FetchFsckSettings> ReadAsync(string gitDirectory, CancellationToken cancellationToken)
    {
        var result = await GitRunner.RunCapturedAsync(gitDirectory,
            ["config", "-z", "--get-regexp", @"^(fetch\.fsck|transfer\.fsckobjects$)"], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            return Default; // 1: nothing set
        }
        bool? fetch = null, transfer = null;
        List<string> types = [];
        foreach (var entry in result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // "key\nvalue", or "key" alone for a setting written without "= value" (a true boolean).
            var newline = entry.IndexOf('\n', StringComparison.Ordinal);
            var key = newline < 0 ? entry : entry[..newline];
            var value = newline < 0 ? null : entry[(newline + 1)..];
            switch (key)
            {
                case "fetch.fsckobjects":
                    fetch = ParseBool(value) ?? fetch;
                    break;
                case "transfer.fsckobjects":
                    transfer = ParseBool(value) ?? transfer;
                    break;
                case "fetch.fsck.skiplist" when !string.IsNullOrEmpty(value):
                    types.Add("skiplist=" + ExpandHome(value));
                    break;
                default:
                    var id = key.StartsWith("fetch.fsck.", StringComparison.Ordinal) ? key["fetch.fsck.".Length..] : null;
                    if (id is not null && MessageIds.Contains(id) && value is "error" or "warn" or "ignore")
                    {
                        types.Add(id + "=" + value);
                    }
                    break;
            }
        }
        return new FetchFsckSettings(fetch ?? transfer ?? true, types.Count == 0 ? "" : "=" + string.Join(',', types));
    }

    /// <summary>git's booleans: true/yes/on/1 (and a key without a value), false/no/off/0/empty; other numbers are true.</summary>
    private static bool? ParseBool(string? value)
    {
        if (value is null)
        {
            return true;
        }
        switch (value.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off" or "":
                return false;
            default:
                return long.TryParse(value.Trim(), out var number) ? number != 0 : null;
        }
    }

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
