namespace GitTorrent.Engine.Dht.Lookups;

internal enum CandidateState
{
    New,
    Queried,
    Responded,
    Failed,
}
