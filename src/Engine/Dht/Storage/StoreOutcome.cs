namespace GitTorrent.Engine.Dht.Storage;

/// <summary>What a store did with an announce or a put.</summary>
internal enum StoreOutcome
{
    Stored,

    /// <summary>Already held: its lifetime starts again.</summary>
    Refreshed,

    /// <summary>Refused: the sending address holds as many entries as one address may.</summary>
    AddressLimit,

    /// <summary>Refused: the store (or this infohash's list) is full of live entries.</summary>
    Full,
}
