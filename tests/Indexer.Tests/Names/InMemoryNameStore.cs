using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Names;

/// <summary>
/// Test double of our own <see cref="INameStore"/>: keeps each processed block's scan in memory and
/// enforces the contract (apply tip + 1 only, roll back the tip only) so follower bugs fail loudly.
/// Thread-safe: tests read it while a background service writes.
/// </summary>
public class InMemoryNameStore : INameStore, INameEntryReader
{
    private readonly SortedDictionary<int, BlockNameScan> _blocks = new();
    private readonly Lock _lock = new();

    public int ApplyCalls { get; private set; }

    public int RollbackCalls { get; private set; }

    public IReadOnlyList<NameEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return _blocks.Values.SelectMany(b => b.Entries).ToList();
            }
        }
    }

    public IReadOnlyList<MalformedOutput> Malformed
    {
        get
        {
            lock (_lock)
            {
                return _blocks.Values.SelectMany(b => b.Malformed).ToList();
            }
        }
    }

    public IReadOnlyList<ChainCheckpoint> Checkpoints
    {
        get
        {
            lock (_lock)
            {
                return _blocks.Select(b => new ChainCheckpoint(b.Key, b.Value.BlockHash)).ToList();
            }
        }
    }

    public Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            ChainCheckpoint? tip = _blocks.Count == 0 ? null : new ChainCheckpoint(_blocks.Keys.Last(), _blocks.Values.Last().BlockHash);
            return Task.FromResult(tip);
        }
    }

    public Task<string?> GetProcessedBlockHashAsync(int height, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(_blocks.TryGetValue(height, out var b) ? b.BlockHash : null);
        }
    }

    public Task<IReadOnlyList<NameEntry>> GetClaimsAndRegistersAsync(string name, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<NameEntry>>(Entries.Where(e => e.Name == name).ToList());

    public Task<IReadOnlyList<NameEntry>> GetPreordersAsync(IReadOnlyCollection<Engine.Hash20> commitments, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<NameEntry>>(
            Entries.Where(e => e.Kind == Engine.Names.NameEntryKind.Preorder && commitments.Contains(e.Commitment!.Value)).ToList());

    public Task ApplyBlockAsync(int height, string blockHash, BlockNameScan scan, CancellationToken ct)
    {
        lock (_lock)
        {
            return Apply(height, blockHash, scan);
        }
    }

    /// <summary>The heights of every <see cref="ApplyBlocksAsync"/> call, in call order.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Batches
    {
        get
        {
            lock (_lock)
            {
                return [.. _batches];
            }
        }
    }

    private readonly List<IReadOnlyList<int>> _batches = [];

    public virtual Task ApplyBlocksAsync(IReadOnlyList<BlockNameScan> blocks, CancellationToken ct)
    {
        lock (_lock)
        {
            _batches.Add([.. blocks.Select(b => b.Height)]);
            foreach (var block in blocks)
            {
                Apply(block.Height, block.BlockHash, block);
            }
            return Task.CompletedTask;
        }
    }

    private Task Apply(int height, string blockHash, BlockNameScan scan)
    {
        if (_blocks.Count > 0 && height != _blocks.Keys.Last() + 1)
        {
            throw new InvalidOperationException($"Apply at {height} but the tip is {_blocks.Keys.Last()}.");
        }
        if (scan.Height != height || scan.BlockHash != blockHash)
        {
            throw new InvalidOperationException("The scan does not describe the block being applied.");
        }
        _blocks[height] = scan;
        ApplyCalls++;
        return Task.CompletedTask;
    }

    public Task RollbackBlockAsync(int height, CancellationToken ct)
    {
        lock (_lock)
        {
            return Rollback(height);
        }
    }

    private Task Rollback(int height)
    {
        if (_blocks.Count == 0 || height != _blocks.Keys.Last())
        {
            throw new InvalidOperationException($"Rollback of {height} which is not the tip.");
        }
        _blocks.Remove(height);
        RollbackCalls++;
        return Task.CompletedTask;
    }
}
