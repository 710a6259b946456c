using System.Collections;
using System.Text;

namespace GitTorrent.Engine.Bencoding;

/// <summary>
/// A bencoded dictionary: <c>d ... e</c>. Keys are byte strings kept in ascending byte order,
/// which is the order BEP 3 requires on the wire, so <see cref="BValue.Encode"/> is canonical.
/// </summary>
public sealed class BDictionary : BValue, IEnumerable<KeyValuePair<BString, BValue>>
{
    private readonly List<KeyValuePair<byte[], BValue>> _entries;

    public BDictionary() => _entries = [];

    private BDictionary(List<KeyValuePair<byte[], BValue>> entries) => _entries = entries;

    public int Count => _entries.Count;

    /// <summary>Keys in ascending byte order.</summary>
    public IEnumerable<BString> Keys => _entries.Select(e => new BString(e.Key));

    public BValue? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : null;
        set => Set(Encoding.UTF8.GetBytes(key), value);
    }

    public BValue? this[ReadOnlySpan<byte> key]
    {
        get => TryGetValue(key, out var value) ? value : null;
        set => Set(key.ToArray(), value);
    }

    /// <summary>Adds or replaces <paramref name="key"/>; a null value removes it.</summary>
    public void Add(string key, BValue? value) => Set(Encoding.UTF8.GetBytes(key), value);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool Remove(string key)
    {
        var index = Find(Encoding.UTF8.GetBytes(key));
        if (index < 0)
        {
            return false;
        }
        _entries.RemoveAt(index);
        return true;
    }

    public bool TryGetValue(string key, out BValue value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = Encoding.UTF8.GetByteCount(key);
        var bytes = length <= buffer.Length ? buffer[..length] : new byte[length];
        Encoding.UTF8.GetBytes(key, bytes);
        return TryGetValue(bytes, out value);
    }

    public bool TryGetValue(ReadOnlySpan<byte> key, out BValue value)
    {
        var index = Find(key);
        if (index < 0)
        {
            value = null!;
            return false;
        }
        value = _entries[index].Value;
        return true;
    }

    /// <summary>The value under <paramref name="key"/> if it exists and is a <typeparamref name="T"/>.</summary>
    public T? Get<T>(string key) where T : BValue => TryGetValue(key, out var value) ? value as T : null;

    public BString? GetString(string key) => Get<BString>(key);

    public BDictionary? GetDictionary(string key) => Get<BDictionary>(key);

    public BList? GetList(string key) => Get<BList>(key);

    public long? GetInteger(string key) => Get<BInteger>(key)?.Value;

    /// <summary>The UTF-8 text of the string under <paramref name="key"/>, or null.</summary>
    public string? GetText(string key) => Get<BString>(key)?.Text;

    public override void WriteTo(BencodeWriter writer)
    {
        writer.BeginDictionary();
        foreach (var (key, value) in _entries)
        {
            writer.WriteString(key);
            value.WriteTo(writer);
        }
        writer.End();
    }

    public IEnumerator<KeyValuePair<BString, BValue>> GetEnumerator() =>
        _entries.Select(e => new KeyValuePair<BString, BValue>(new BString(e.Key), e.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A dictionary over <paramref name="entries"/>, which the reader has put in order and checked for duplicates.</summary>
    internal static BDictionary FromSortedEntries(List<KeyValuePair<byte[], BValue>> entries) => new(entries);

    private void Set(byte[] key, BValue? value)
    {
        var index = Find(key);
        if (value is null)
        {
            if (index >= 0)
            {
                _entries.RemoveAt(index);
            }
            return;
        }
        if (index >= 0)
        {
            _entries[index] = new(key, value);
        }
        else
        {
            _entries.Insert(~index, new(key, value));
        }
    }

    private int Find(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = _entries.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = Compare(_entries[mid].Key, key);
            if (c == 0)
            {
                return mid;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }

    internal static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);
}
