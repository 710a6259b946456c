using System.Globalization;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Names;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport.Bitcoin;

namespace GitTorrent.TestSupport.Portal;

/// <summary>
/// A user who reaches a portal only the way real users do, never through its database: the user's own node (on a
/// private DHT with departed nodes) seeds a repository and puts a signed profile at seq <see cref="Seq"/>, and the
/// user's name is claimed on a real bcoin regtest chain and buried until settled. A portal started with
/// <see cref="PortalSettings"/> indexes the claim, crawls the profile of the claimed key (verifying its signature and
/// seq), and fetches the repository from the node. Browse and E2E suites assert provenance ("matches the signed tip",
/// "settled") on this user, whose data they did not write.
/// </summary>
public sealed class PublishedUser : IAsyncDisposable
{
    public const string Name = "dana";

    public const string DisplayName = "Dana Published";

    public const string RepositoryName = "notes";

    public const long Seq = 7;

    /// <summary>Blocks mined on top of the claim's block: past the 144 blocks a claim waits and its 6 confirmations.</summary>
    private const int BlocksAfterClaim = 160;

    private readonly UserIdentity _identity;
    private readonly TempGitRepo _repository;
    private readonly LoopbackSwarm _swarm;
    private readonly BcoinNode _chain;

    private PublishedUser(UserIdentity identity, TempGitRepo repository, LoopbackSwarm swarm, BcoinNode chain, int claimHeight, string claimTxid)
    {
        _identity = identity;
        _repository = repository;
        _swarm = swarm;
        _chain = chain;
        ClaimHeight = claimHeight;
        ClaimTxid = claimTxid;
        Tip = repository.Git("rev-parse", "HEAD").Trim();
    }

    public string UserId => _identity.UserId.ToString();

    /// <summary>The repository's main tip, as the signed profile lists it.</summary>
    public string Tip { get; }

    /// <summary>The height of the block holding the name's CLAIM.</summary>
    public int ClaimHeight { get; }

    public string ClaimTxid { get; }

    /// <summary>The user's node (what served the pack, for asserting where it came from).</summary>
    public GitTorrentNode Node => _swarm.Seeder;

    /// <summary>Settings that point a portal at the private DHT and the chain (merge them into its settings).</summary>
    public IReadOnlyDictionary<string, string?> PortalSettings => new Dictionary<string, string?>
    {
        ["GitTorrent__Bootstrap"] = _swarm.Bootstrap,
        ["GitTorrent__Bitcoin__Rpc"] = _chain.RpcUrl.ToString(),
        ["GitTorrent__Bitcoin__RpcUser"] = "x",
        ["GitTorrent__Bitcoin__RpcPassword"] = BcoinNode.ApiKey,
        ["GitTorrent__Bitcoin__Network"] = "regtest",
        ["GitTorrent__Bitcoin__PollInterval"] = "00:00:01",
    };

    public static async Task<PublishedUser> StartAsync(string work, CancellationToken cancellationToken)
    {
        var repository = new TempGitRepo();
        LoopbackSwarm? swarm = null;
        BcoinNode? chain = null;
        var identity = UserIdentity.Generate();
        try
        {
            repository.Commit("README.md", "# Notes\n\nPublished through the DHT, named on the chain.\n");
            repository.Commit("todo.txt", string.Concat(Enumerable.Range(0, 50).Select(n => $"item {n}\n")));
            swarm = await LoopbackSwarm.StartAsync(Path.Combine(work, "published-user-node"), cancellationToken);
            ServedRepository[] served = [new ServedRepository(RepositoryName, repository.GitDir)];
            swarm.Seeder.SetRepositories(served);
            await swarm.Seeder.AnnounceTipsAsync(cancellationToken);
            var profile = await ProfileBuilder.BuildAsync(served, DisplayName, null, cancellationToken);
            await swarm.Seeder.PublishProfileAsync(identity, profile, Seq, cancellationToken);

            chain = await BcoinNode.StartAsync().WaitAsync(cancellationToken);
            await chain.MineAsync(101).WaitAsync(cancellationToken); // a spendable coinbase for the wallet
            var txid = await chain.SendOpReturnAsync(NamePayload.EncodeClaim(Name, identity.UserId)).WaitAsync(cancellationToken);
            await chain.MineAsync(1).WaitAsync(cancellationToken);
            var claimHeight = await chain.GetBlockCountAsync().WaitAsync(cancellationToken);
            await chain.MineAsync(BlocksAfterClaim).WaitAsync(cancellationToken);
            return new PublishedUser(identity, repository, swarm, chain, claimHeight, txid);
        }
        catch
        {
            if (chain is not null)
            {
                await chain.DisposeAsync();
            }
            if (swarm is not null)
            {
                await swarm.DisposeAsync();
            }
            repository.Dispose();
            identity.Dispose();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="portal"/> has crawled the profile and fetched the repository.</summary>
    public Task WaitUntilArrivedAsync(PortalProcess portal, TimeSpan timeout) =>
        portal.WaitForPageAsync($"/u/{UserId}/{RepositoryName}/commits/main", Tip[..12], timeout);

    public override string ToString() =>
        $"{Name} ({UserId}), claimed at block {ClaimHeight.ToString(CultureInfo.InvariantCulture)}, profile seq {Seq}";

    public async ValueTask DisposeAsync()
    {
        await _chain.DisposeAsync();
        await _swarm.DisposeAsync();
        _repository.Dispose();
        _identity.Dispose();
    }
}
