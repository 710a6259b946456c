namespace GitTorrent.Engine.Fetch;

/// <summary>The end of a <see cref="TipFetcher"/> run.</summary>
/// <param name="Outcome">Success, or why not.</param>
/// <param name="KeepFiles">
/// On success, the <c>.keep</c> files of the packs it brought (swarm packs checked complete, and the origin's): the
/// caller hands one to git or deletes them. On failure they are deleted already.
/// </param>
/// <param name="Connected">
/// Every pack was checked on import (complete and connected, or complete down to haves that are) and the origin's, if
/// used, was checked self-contained and connected: git need not walk the history again.
/// </param>
public sealed record TipFetchResult(TipFetchOutcome Outcome, IReadOnlyList<string> KeepFiles, bool Connected);
