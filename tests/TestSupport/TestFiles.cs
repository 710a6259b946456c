namespace GitTorrent.TestSupport;

/// <summary>Deterministic test data in a temp directory that is deleted on dispose.</summary>
public sealed class TestFiles : IDisposable
{
    public TestFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "gt-wire-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Writes <paramref name="length"/> pseudo-random bytes (xorshift from <paramref name="seed"/>).</summary>
    public string Create(string name, long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        var path = PathOf(name);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var buffer = new byte[1 << 20];
        var x = seed | 1;
        long written = 0;
        while (written < length)
        {
            var n = (int)Math.Min(buffer.Length, length - written);
            for (var i = 0; i + 8 <= buffer.Length; i += 8)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(i), x);
            }
            stream.Write(buffer, 0, n);
            written += n;
        }
        return path;
    }

    /// <summary>Bytes the file system allocated for <paramref name="path"/> (<c>stat</c> blocks), below its length when it has holes.</summary>
    public static long AllocatedBytes(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path])
        {
            RedirectStandardOutput = true,
        })!;
        var fields = stat.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!stat.WaitForExit(10_000) || stat.ExitCode != 0 || fields.Length != 2)
        {
            throw new InvalidOperationException($"stat {path} failed");
        }
        return long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture)
            * long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool SameContent(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (!fa.Exists || !fb.Exists || fa.Length != fb.Length)
        {
            return false;
        }
        using var sa = File.OpenRead(a);
        using var sb = File.OpenRead(b);
        var ba = new byte[1 << 20];
        var bb = new byte[1 << 20];
        while (true)
        {
            var na = sa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
            var nb = sb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
            if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb)))
            {
                return false;
            }
            if (na == 0)
            {
                return true;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
