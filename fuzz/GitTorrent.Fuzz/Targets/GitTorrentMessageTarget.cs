using GitTorrent.Engine;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// A <c>ut_gittorrent</c> message: <see cref="GitTorrentMessage.TryDecode"/>, then the extension as a seeder receives it.
/// Bad input is a false TryDecode (the extension counts and drops it). A decoded message must encode to bytes that
/// decode to the same message, within the limits on haves, wants and error text.
/// </summary>
public static class GitTorrentMessageTarget
{
    public static void Run(byte[] input)
    {
        if (GitTorrentMessage.TryDecode(input, out var message, out _))
        {
            FuzzInvariantException.Check(message.Haves.Count <= GitTorrentMessage.MaxHaves && message.Wants.Count <= GitTorrentMessage.MaxWants
                && (message.Error?.Length ?? 0) <= GitTorrentMessage.MaxErrorLength, "a message over its limits was accepted");
            FuzzInvariantException.Check(GitTorrentMessage.TryDecode(message.Encode(), out var again, out _), "an encoded message does not decode");
            FuzzInvariantException.Check(again.Kind == message.Kind && again.Sha == message.Sha && again.InfoHash == message.InfoHash
                && again.Haves.SequenceEqual(message.Haves) && again.Wants.SequenceEqual(message.Wants) && again.Error == message.Error,
                "an encoded message decodes to another message");
        }
        ExtensionHost.Instance.Deliver(GitTorrentMessage.ExtensionName, input);
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var sha = Hash20.Sha1("commit"u8);
        yield return GitTorrentMessage.Request(sha, [Hash20.Sha1("have"u8)], [Hash20.Sha1("want"u8)]).Encode();
        yield return GitTorrentMessage.Request(sha).Encode();
        yield return GitTorrentMessage.Reply(Hash20.Sha1("pack"u8)).Encode();
        yield return GitTorrentMessage.Failure(sha, "not found").Encode();
    }
}
