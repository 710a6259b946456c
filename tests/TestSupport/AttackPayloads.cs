namespace GitTorrent.TestSupport;

/// <summary>Hostile inputs shared by the acceptance tests and bench/Attack.</summary>
public static class AttackPayloads
{
    /// <summary>
    /// A dictionary of <paramref name="keys"/> three-byte keys, each with an empty string value, in descending key
    /// order (140k keys make about 1 MiB): insertion in order would cost n^2 / 2 moves.
    /// </summary>
    public static byte[] DescendingDictionary(int keys)
    {
        var bytes = new List<byte>(keys * 7 + 2) { (byte)'d' };
        for (var i = keys - 1; i >= 0; i--)
        {
            bytes.AddRange("3:"u8.ToArray());
            bytes.Add((byte)(i >> 16));
            bytes.Add((byte)(i >> 8));
            bytes.Add((byte)i);
            bytes.AddRange("0:"u8.ToArray());
        }
        bytes.Add((byte)'e');
        return [.. bytes];
    }
}
