namespace GitTorrent.Indexer.Names;

/// <summary>
/// Position of an OP_RETURN output (docs/PROTOCOL.md section 5): block height, index of the transaction in
/// the block, index of the output in the transaction. Lower positions came first.
/// </summary>
public readonly record struct NamePosition(int Height, int TxIndex, int Vout) : IComparable<NamePosition>
{
    public int CompareTo(NamePosition other)
    {
        var c = Height.CompareTo(other.Height);
        if (c != 0)
        {
            return c;
        }
        c = TxIndex.CompareTo(other.TxIndex);
        return c != 0 ? c : Vout.CompareTo(other.Vout);
    }

    public static bool operator <(NamePosition left, NamePosition right) => left.CompareTo(right) < 0;

    public static bool operator >(NamePosition left, NamePosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(NamePosition left, NamePosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(NamePosition left, NamePosition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Height}:{TxIndex}:{Vout}";
}
