namespace GitTorrent.Web.Provenance;

/// <summary>A memory stream that refuses to grow past <c>cap</c> bytes (an origin's ref advertisement is a stranger's output).</summary>
internal sealed class CappedBuffer(long cap) : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Check(count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    private void Check(int count)
    {
        if (Length + count > cap)
        {
            throw new IOException($"the origin advertised more than {cap} bytes of refs");
        }
    }
}
