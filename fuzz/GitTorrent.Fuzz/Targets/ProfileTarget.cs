using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// User profiles (PROTOCOL.md section 3): <see cref="RunItem"/> takes the <c>v</c> of a BEP 44 mutable item (a bencoded
/// string holding the JSON, as a node reads a profile from the DHT), <see cref="RunDocument"/> a whole JSON document (a
/// <c>profile.json</c> manifest). Bad input is TryParse returning false; a parsed profile must hold only names git accepts
/// (no directory/file conflicts), texts within their limits, and write out (<see cref="UserProfile.ToJson"/>) to JSON that
/// parses to itself with nothing dropped.
/// </summary>
public static class ProfileTarget
{
    public static void RunItem(byte[] input)
    {
        if (BencodeReader.TryDecode(input, out var value, out _) && value is BString json)
        {
            RunDocument(json.Span.ToArray());
        }
    }

    public static void RunDocument(byte[] input)
    {
        if (!UserProfile.TryParse(input, out var profile, out _))
        {
            return;
        }
        FuzzInvariantException.Check((profile.Name?.Length ?? 0) <= UserProfile.MaxTextLength
            && (profile.Email?.Length ?? 0) <= UserProfile.MaxTextLength, "a text over its limit was kept");
        foreach (var (repository, refs) in profile.Repositories)
        {
            FuzzInvariantException.Check(RepositoryScanner.IsValidName(repository), "a bad repository name was kept");
            FuzzInvariantException.Check(refs.Keys.All(UserProfile.IsValidRefName), "a bad ref name was kept");
            FuzzInvariantException.Check(!refs.Keys.Any(r => refs.Keys.Any(other => other.StartsWith(r + "/", StringComparison.Ordinal))),
                "refs in a directory/file conflict were kept");
            FuzzInvariantException.Check(UserProfile.GuessHeadTarget(refs) is not { } head || refs.ContainsKey(head), "HEAD guessed outside the refs");
        }
        var written = profile.ToJson();
        FuzzInvariantException.Check(UserProfile.TryParse(written, out var again, out _) && again.DroppedEntries == 0,
            "a written profile does not parse whole");
        FuzzInvariantException.Check(again.ToJson().AsSpan().SequenceEqual(written), "a written profile parses to another profile");
        try
        {
            FuzzInvariantException.Check(profile.WithManifest(Hash20.Sha1(written)).Length <= UserProfile.MaxInlineJsonBytes,
                "a manifest pointer does not fit in an item");
        }
        catch (GitTorrentException)
        {
        }
    }

    private static UserProfile Sample()
    {
        var profile = new UserProfile { Name = "Ada", Email = "ada@example.org" };
        profile.Repositories["gittorrent"] = new(StringComparer.Ordinal)
        {
            ["HEAD"] = Hash20.Sha1("c1"u8),
            ["refs/heads/main"] = Hash20.Sha1("c1"u8),
            ["refs/tags/v1.0"] = Hash20.Sha1("c2"u8),
        };
        profile.Extra["website"] = System.Text.Json.Nodes.JsonValue.Create("https://example.org");
        return profile;
    }

    public static IEnumerable<byte[]> ItemSeeds()
    {
        var profile = Sample();
        yield return new BString(profile.ToJson()).Encode();
        yield return new BString(profile.WithManifest(Hash20.Sha1("manifest"u8))).Encode();
    }

    public static IEnumerable<byte[]> DocumentSeeds()
    {
        yield return Sample().ToJson();
        yield return """{"name":"x","repositories":{"r":{"refs/heads/a":"0123456789abcdef0123456789abcdef01234567","refs/heads/a/b":"0123456789abcdef0123456789abcdef01234567"}},"manifest":"0123456789abcdef0123456789abcdef01234567","x":[1,{"y":null}]}"""u8.ToArray();
    }
}
