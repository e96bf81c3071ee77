using Microsoft.Extensions.Logging;

namespace Zaqar.Data.Pools;

/// <summary>
/// The databases that hold queues (issue #6): the primary database and every registered pool, with one
/// <see cref="PoolTarget"/> (and so one set of connections) each, plus the flavor names. Loaded from the catalog and
/// cached; <see cref="ReloadAsync"/> reads it again when this or another node changed it, or when a route names a
/// pool this node has not heard of yet.
/// </summary>
/// <remarks>
/// Singleton; thread-safe. Readers see an immutable snapshot; reloads are serialized. A pool that disappears (or whose
/// uri changes) has its target disposed once the new snapshot is in place. Background work that runs per database
/// (sweeper, dispatcher, cluster) reads <see cref="Targets"/> each round or listens to <see cref="Changed"/>, so a pool
/// added at runtime is covered without a restart.
/// </remarks>
public sealed partial class PoolRegistry : IAsyncDisposable
{
    private readonly PoolStore _store;
    private readonly ILogger<PoolRegistry> _logger;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot _snapshot;

    public PoolRegistry(PoolTarget primary, PoolStore store, ILogger<PoolRegistry> logger)
    {
        Primary = primary;
        _store = store;
        _logger = logger;
        _snapshot = new Snapshot(new Dictionary<string, Pool>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), [primary], Loaded: false);
    }

    /// <summary>The targets changed: a pool was added or removed, or its uri changed.</summary>
    public event Action? Changed;

    public PoolTarget Primary { get; }

    /// <summary>The primary database first, then each registered pool in name order.</summary>
    public IReadOnlyList<PoolTarget> Targets => _snapshot.Targets;

    /// <summary>The registered pools in name order.</summary>
    public IReadOnlyList<PoolInfo> Pools => _snapshot.Pools.Values.Select(p => p.Info).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    /// <summary>False until the first successful load: until then no placement may trust the (empty) pool list.</summary>
    public bool Loaded => _snapshot.Loaded;

    /// <summary>The target of <paramref name="pool"/>; null names the primary database.</summary>
    public bool TryGetTarget(string? pool, out PoolTarget target)
    {
        if (pool is null)
        {
            target = Primary;
            return true;
        }
        var found = _snapshot.Pools.TryGetValue(pool, out var p);
        target = found ? p!.Target : Primary;
        return found;
    }

    public bool IsPool(string pool) => _snapshot.Pools.ContainsKey(pool);

    public bool HasFlavor(string flavor) => _snapshot.Flavors.Contains(flavor);

    /// <summary>
    /// A pool for a new queue, at random in proportion to weight, among the pools of <paramref name="flavor"/> (or all
    /// pools); null when none has a weight above zero.
    /// </summary>
    public string? Pick(string? flavor)
    {
        var candidates = _snapshot.Pools.Values.Where(p => p.Info.Weight > 0 && (flavor is null || p.Info.Flavor == flavor)).ToList();
        var total = candidates.Sum(p => p.Info.Weight);
        if (total == 0)
        {
            return null;
        }
        var ticket = Random.Shared.NextInt64(total);
        foreach (var p in candidates)
        {
            ticket -= p.Info.Weight;
            if (ticket < 0)
            {
                return p.Info.Name;
            }
        }
        return candidates[^1].Info.Name;
    }

    /// <summary>Reads the pools and flavors again; targets of unchanged pools are kept, with their connections.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await _reload.WaitAsync(ct);
        List<PoolTarget> retired = [];
        bool changed;
        try
        {
            var (pools, flavors) = await _store.LoadAsync(ct);
            var old = _snapshot;
            var next = new Dictionary<string, Pool>(StringComparer.Ordinal);
            foreach (var info in pools)
            {
                var target = old.Pools.TryGetValue(info.Name, out var existing) && existing.Info.Uri == info.Uri
                    ? existing.Target
                    : new PoolTarget(info.Name, info.Uri, data: null, contexts: null, Primary.ContextOptions);
                next[info.Name] = new Pool(info, target);
            }
            retired = old.Pools.Values.Select(p => p.Target).Where(t => !next.Values.Any(n => ReferenceEquals(n.Target, t))).ToList();
            var targets = new List<PoolTarget>(next.Count + 1) { Primary };
            targets.AddRange(next.Values.OrderBy(p => p.Info.Name, StringComparer.Ordinal).Select(p => p.Target));
            changed = !targets.SequenceEqual(old.Targets);
            _snapshot = new Snapshot(next, flavors.ToHashSet(StringComparer.Ordinal), targets, Loaded: true);
            if (changed)
            {
                PoolsChanged(_logger, string.Join(", ", targets.Skip(1).Select(t => t.Label)));
            }
        }
        finally
        {
            _reload.Release();
        }
        foreach (var target in retired)
        {
            await target.DisposeAsync();
        }
        if (changed)
        {
            Changed?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var target in _snapshot.Targets)
        {
            await target.DisposeAsync();
        }
        _reload.Dispose();
    }

    [LoggerMessage(1, LogLevel.Information, "Pools in use: {Pools}", EventName = "PoolsChanged")]
    private static partial void PoolsChanged(ILogger logger, string pools);

    private sealed record Pool(PoolInfo Info, PoolTarget Target);

    private sealed record Snapshot(
        IReadOnlyDictionary<string, Pool> Pools, IReadOnlySet<string> Flavors, IReadOnlyList<PoolTarget> Targets, bool Loaded);
}
