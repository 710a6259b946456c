namespace GitTorrent.Engine.Client.Machines;

/// <summary>A peer that offered the metadata (BEP 9 <c>metadata_size</c>), as the <see cref="MetadataMachine{TPeer}"/> knows it.</summary>
/// <param name="PeerId">Its peer id: a liar is not asked again under it, on any connection.</param>
internal sealed record MetadataOffer<TPeer>(TPeer Peer, Hash20 PeerId, int Size);
