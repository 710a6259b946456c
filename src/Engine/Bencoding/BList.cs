using System.Collections;

namespace GitTorrent.Engine.Bencoding;

/// <summary>A bencoded list: <c>l ... e</c>.</summary>
public sealed class BList : BValue, IReadOnlyList<BValue>
{
    private readonly List<BValue> _items;

    public BList() => _items = [];

    public BList(IEnumerable<BValue> items) => _items = [.. items];

    public int Count => _items.Count;

    public BValue this[int index] => _items[index];

    public void Add(BValue item) => _items.Add(item);

    public override void WriteTo(BencodeWriter writer)
    {
        writer.BeginList();
        foreach (var item in _items)
        {
            item.WriteTo(writer);
        }
        writer.End();
    }

    public IEnumerator<BValue> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
