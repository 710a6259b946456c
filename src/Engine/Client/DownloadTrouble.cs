using System.Net;

namespace GitTorrent.Engine.Client;

/// <summary>What went wrong so far in a download: pieces that failed their SHA-1 check and the peers banned for them.</summary>
public sealed record DownloadTrouble(int HashFailures, IReadOnlyList<IPEndPoint> Banned);
