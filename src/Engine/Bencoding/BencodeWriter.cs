using System.Buffers;
using System.Buffers.Text;

namespace GitTorrent.Engine.Bencoding;

/// <summary>
/// Forward-only bencode writer over an <see cref="IBufferWriter{T}"/>. It does not sort keys:
/// callers writing dictionaries by hand must write keys in ascending byte order (BEP 3);
/// <see cref="BDictionary"/> does so by construction.
/// </summary>
public sealed class BencodeWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly ArrayBufferWriter<byte>? _owned;
    private int _depth;

    public BencodeWriter()
    {
        _owned = new ArrayBufferWriter<byte>(256);
        _output = _owned;
    }

    public BencodeWriter(IBufferWriter<byte> output) => _output = output;

    /// <summary>Open lists and dictionaries not yet closed with <see cref="End"/>.</summary>
    public int Depth => _depth;

    public void WriteString(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(bytes.Length + 11);
        Utf8Formatter.TryFormat(bytes.Length, span, out var n);
        span[n++] = (byte)':';
        bytes.CopyTo(span[n..]);
        _output.Advance(n + bytes.Length);
    }

    public void WriteString(string text)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(text);
        var span = _output.GetSpan(length + 11);
        Utf8Formatter.TryFormat(length, span, out var n);
        span[n++] = (byte)':';
        System.Text.Encoding.UTF8.GetBytes(text, span[n..]);
        _output.Advance(n + length);
    }

    public void WriteInteger(long value)
    {
        var span = _output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out var n);
        span[n + 1] = (byte)'e';
        _output.Advance(n + 2);
    }

    /// <summary>Copies an already-encoded value verbatim (e.g. a received <see cref="BValue.Raw"/>).</summary>
    public void WriteRaw(ReadOnlySpan<byte> encoded)
    {
        var span = _output.GetSpan(encoded.Length);
        encoded.CopyTo(span);
        _output.Advance(encoded.Length);
    }

    public void BeginList() => WriteMarker((byte)'l', +1);

    public void BeginDictionary() => WriteMarker((byte)'d', +1);

    public void End()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("End() without an open list or dictionary.");
        }
        WriteMarker((byte)'e', -1);
    }

    /// <summary>The bytes written so far; only for writers created without an output.</summary>
    public byte[] ToArray() =>
        (_owned ?? throw new InvalidOperationException("This writer writes to a caller's buffer.")).WrittenSpan.ToArray();

    public ReadOnlySpan<byte> WrittenSpan =>
        (_owned ?? throw new InvalidOperationException("This writer writes to a caller's buffer.")).WrittenSpan;

    private void WriteMarker(byte marker, int depthChange)
    {
        var span = _output.GetSpan(1);
        span[0] = marker;
        _output.Advance(1);
        _depth += depthChange;
    }
}
