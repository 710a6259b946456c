namespace GitTorrent.Engine.Names;

/// <summary>The fields of <c>getblockchaininfo</c> the name tools use. <see cref="Chain"/> is main, test, signet or regtest.</summary>
public sealed record BlockchainInfo(string Chain, int Blocks, string BestBlockHash);
