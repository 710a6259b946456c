using System.Text.Json;
using System.Text.Json.Nodes;
using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Profiles;

/// <summary>
/// The JSON document a user publishes as the value of their BEP 44 mutable item (docs/PROTOCOL.md section 3):
/// display name, email, repositories with their refs, and optionally a manifest pointer for profiles
/// too large for one item. Unknown keys are kept so a re-publish does not lose them.
/// </summary>
public sealed class UserProfile
{
    /// <summary>Largest JSON that fits in a BEP 44 <c>v</c> (1000 bytes including the "996:" prefix).</summary>
    public const int MaxInlineJsonBytes = 996;

    /// <summary>A profile larger than this (in a manifest) is refused.</summary>
    public const int MaxManifestJsonBytes = 16 * 1024 * 1024;

    /// <summary>Display names and emails are cut to this many characters.</summary>
    public const int MaxTextLength = 200;

    public string? Name { get; set; }

    public string? Email { get; set; }

    /// <summary>Repository name to (ref name to commit id), both sorted ordinally.</summary>
    public SortedDictionary<string, SortedDictionary<string, Hash20>> Repositories { get; } = new(StringComparer.Ordinal);

    /// <summary>Infohash of the <c>profile.json</c> torrent holding the complete document, if any.</summary>
    public Hash20? Manifest { get; set; }

    /// <summary>Top-level keys this version does not understand, kept verbatim.</summary>
    public SortedDictionary<string, JsonNode?> Extra { get; } = new(StringComparer.Ordinal);

    /// <summary>Repositories or refs dropped while parsing because their names or ids were not acceptable.</summary>
    public int DroppedEntries { get; private set; }

    /// <summary>Longest ref name a profile may list (git has no limit, file systems do).</summary>
    public const int MaxRefNameLength = 255;

    /// <summary>
    /// Whether <paramref name="name"/> can appear as a ref in a profile: HEAD, or refs/heads/* or refs/tags/* that
    /// <c>git check-ref-format</c> accepts (<see cref="GitRefName"/>), at most <see cref="MaxRefNameLength"/> characters.
    /// </summary>
    public static bool IsValidRefName(string name) =>
        name == "HEAD"
        || ((name.StartsWith("refs/heads/", StringComparison.Ordinal) || name.StartsWith("refs/tags/", StringComparison.Ordinal))
            && name.Length <= MaxRefNameLength && GitRefName.IsValid(name));

    /// <summary>
    /// The branch HEAD most likely points at: a profile lists HEAD as a commit id only, so this picks the branch with
    /// the same commit (main, then master, then the first by name); without HEAD, main, master or the first branch.
    /// </summary>
    public static string? GuessHeadTarget(IReadOnlyDictionary<string, Hash20> refs)
    {
        ArgumentNullException.ThrowIfNull(refs);
        string[] preferred = ["refs/heads/main", "refs/heads/master"];
        var branches = refs.Keys.Where(r => r.StartsWith("refs/heads/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (!refs.TryGetValue("HEAD", out var head))
        {
            return preferred.FirstOrDefault(refs.ContainsKey) ?? branches.FirstOrDefault();
        }
        return preferred.FirstOrDefault(p => refs.TryGetValue(p, out var v) && v == head)
            ?? branches.FirstOrDefault(b => refs[b] == head);
    }

    /// <summary>
    /// Parses a profile; entries with bad names or ids are dropped and counted, not fatal. A key that appears twice in one
    /// object is ambiguous: every occurrence is dropped and counted. Within a repository, refs git could not hold side by
    /// side (<c>x</c> beside <c>x/y</c>) keep the shorter name.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out UserProfile profile, out string? error)
    {
        profile = new UserProfile();
        error = null;
        if (json.Length > MaxManifestJsonBytes)
        {
            error = $"profile is {json.Length} bytes, more than the limit of {MaxManifestJsonBytes}";
            return false;
        }
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            error = "profile is not valid JSON: " + e.Message;
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "profile is not a JSON object";
                return false;
            }
            foreach (var (key, value) in profile.UniqueProperties(document.RootElement))
            {
                switch (key)
                {
                    case "name":
                        profile.Name = Text(value);
                        break;
                    case "email":
                        profile.Email = Text(value);
                        break;
                    case "manifest":
                        if (TryGetString(value, out var hex) && Hash20.IsLowerHex40(hex))
                        {
                            profile.Manifest = Hash20.Parse(hex);
                        }
                        else
                        {
                            profile.DroppedEntries++;
                        }
                        break;
                    case "repositories":
                        profile.ReadRepositories(value);
                        break;
                    default:
                        if (TryKeepExtra(value, out var node))
                        {
                            profile.Extra[key] = node;
                        }
                        else
                        {
                            profile.DroppedEntries++;
                        }
                        break;
                }
            }
        }
        return true;
    }

    /// <summary>Parses or throws <see cref="GitTorrentException"/>.</summary>
    public static UserProfile Parse(ReadOnlySpan<byte> json) =>
        TryParse(json, out var profile, out var error) ? profile : throw new GitTorrentException(error!);

    /// <summary>Compact UTF-8 JSON with keys in a fixed order, so equal profiles give equal bytes.</summary>
    public byte[] ToJson(bool includeRepositories = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (Name is not null)
            {
                writer.WriteString("name", Name);
            }
            if (Email is not null)
            {
                writer.WriteString("email", Email);
            }
            foreach (var (key, value) in Extra)
            {
                writer.WritePropertyName(key);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }
            if (includeRepositories)
            {
                writer.WriteStartObject("repositories");
                foreach (var (repo, refs) in Repositories)
                {
                    writer.WriteStartObject(repo);
                    foreach (var (refName, target) in refs)
                    {
                        writer.WriteString(refName, target.ToString());
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
            }
            if (Manifest is { } manifest)
            {
                writer.WriteString("manifest", manifest.ToString());
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The JSON to put in the mutable item. When the whole document fits, that is it; otherwise the
    /// caller publishes <paramref name="manifestJson"/> as a <c>profile.json</c> torrent and puts the
    /// returned inline document with the torrent's infohash (<see cref="WithManifest"/>).
    /// </summary>
    public bool FitsInline(out byte[] json)
    {
        json = ToJson();
        return json.Length <= MaxInlineJsonBytes;
    }

    /// <summary>The short form carrying name, email, unknown keys and the manifest pointer, without repositories.</summary>
    public byte[] WithManifest(Hash20 manifestInfoHash)
    {
        var copy = new UserProfile { Name = Name, Email = Email, Manifest = manifestInfoHash };
        foreach (var (key, value) in Extra)
        {
            copy.Extra[key] = value?.DeepClone();
        }
        var json = copy.ToJson(includeRepositories: false);
        if (json.Length > MaxInlineJsonBytes)
        {
            throw new GitTorrentException($"The profile's name, email and extra fields take {json.Length} bytes; "
                + $"with the manifest pointer they must fit in {MaxInlineJsonBytes}.");
        }
        return json;
    }

    /// <summary>An unknown top-level value as a node that can be written back: no repeated key, no lone surrogate.</summary>
    private static bool TryKeepExtra(JsonElement value, out JsonNode? node)
    {
        try
        {
            node = JsonNode.Parse(value.GetRawText(), documentOptions: new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            _ = node?.ToJsonString();
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            node = null;
            return false;
        }
    }

    private static string? Text(JsonElement value)
    {
        if (!TryGetString(value, out var text))
        {
            return null;
        }
        return text.Length > MaxTextLength ? text[..MaxTextLength] : text;
    }

    /// <summary>The string, if <paramref name="value"/> is one that is well-formed (no lone surrogate).</summary>
    private static bool TryGetString(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The properties of <paramref name="obj"/> whose names are well-formed and appear once; the others are dropped and
    /// counted. Nested values are checked the same way when they are read, except unknown top-level keys, whose values
    /// must be free of repeated keys throughout (they are written back as they are).
    /// </summary>
    private List<(string Name, JsonElement Value)> UniqueProperties(JsonElement obj)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        List<(string Name, JsonElement Value)> properties = [];
        foreach (var property in obj.EnumerateObject())
        {
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                DroppedEntries++;
                continue;
            }
            seen[name] = seen.GetValueOrDefault(name) + 1;
            properties.Add((name, property.Value));
        }
        var unique = properties.Where(p => seen[p.Name] == 1).ToList();
        DroppedEntries += properties.Count - unique.Count;
        return unique;
    }

    private void ReadRepositories(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            DroppedEntries++;
            return;
        }
        foreach (var (repoName, refs) in UniqueProperties(value))
        {
            if (!RepositoryScanner.IsValidName(repoName) || refs.ValueKind != JsonValueKind.Object)
            {
                DroppedEntries++;
                continue;
            }
            var parsed = new SortedDictionary<string, Hash20>(StringComparer.Ordinal);
            foreach (var (refName, target) in UniqueProperties(refs))
            {
                if (IsValidRefName(refName) && TryGetString(target, out var hex) && Hash20.IsLowerHex40(hex))
                {
                    parsed[refName] = Hash20.Parse(hex);
                }
                else
                {
                    DroppedEntries++;
                }
            }
            DroppedEntries += GitRefName.RemoveDirectoryFileConflicts(parsed);
            Repositories[repoName] = parsed;
        }
    }
}
