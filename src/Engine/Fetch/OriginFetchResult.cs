namespace GitTorrent.Engine.Fetch;

/// <summary>What an origin fetch left behind.</summary>
/// <param name="KeepFile">The <c>.keep</c> file that protects the received pack until the refs are written, if any.</param>
/// <param name="Connected">
/// The received pack was checked to be self-contained and connected (git's <c>connectivity-ok</c>): no walk is needed.
/// </param>
public sealed record OriginFetchResult(string? KeepFile, bool Connected);
