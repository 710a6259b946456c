using GitTorrent.TestSupport.Bitcoin;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>
/// The 2,000-block bcoin chain shared by <see cref="IndexerKillTests"/>: built once per test class (about a minute,
/// mostly the wallet signing a few hundred OP_RETURN transactions).
/// </summary>
public sealed class KillTestChain : IAsyncLifetime
{
    public const int Tip = 2000;
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

    public BcoinNode Node { get; private set; } = null!;

    internal NameChainScenario Scenario { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await BcoinNode.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Scenario = await NameChainScenario.BuildAsync(Node, Tip, payloadBlockShare: 0.07, seed: 20261126).WaitAsync(BuildTimeout);
    }

    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}
