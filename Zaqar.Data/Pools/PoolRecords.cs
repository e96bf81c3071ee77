namespace Zaqar.Data.Pools;

/// <summary>A registered pool as the catalog holds it (options: a JSON object's text).</summary>
public sealed record PoolInfo(string Name, string Uri, long Weight, string? Flavor, string Options);

/// <summary>A flavor and the pools that serve it, in name order.</summary>
public sealed record FlavorInfo(string Name, IReadOnlyList<string> Pools);

/// <summary>The fields a pool PATCH changes; null: unchanged. <see cref="Flavor"/> applies only with <see cref="SetFlavor"/> (null then clears it).</summary>
public sealed record PoolChanges(string? Uri, long? Weight, bool SetFlavor, string? Flavor, string? Options);

public enum PoolWriteOutcome
{
    Written,
    NotFound,

    /// <summary>Another pool has this uri.</summary>
    UriInUse,

    /// <summary>The pool names a flavor that does not exist.</summary>
    FlavorMissing,
}

/// <summary>What a pool delete found: deleted (or there was none), or refused because a flavor or queues still use it.</summary>
public readonly record struct PoolDeleteOutcome(bool Refused, string? UsedByFlavor, long Queues);

/// <summary>What a flavor write found: the flavor (PATCH needs one), and the first pool of the list that does not exist.</summary>
public readonly record struct FlavorWriteOutcome(bool Found, string? MissingPool);

/// <summary>Where the catalogue puts one queue; <see cref="Pool"/> null is the primary database.</summary>
public readonly record struct CatalogueEntry(string? Pool, bool Listed);

/// <summary>The flavor a new queue asked for (its <c>_flavor</c> metadata) does not exist.</summary>
public sealed class FlavorNotFoundException(string flavor) : Exception($"Flavor {flavor} does not exist")
{
    public string Flavor { get; } = flavor;
}

/// <summary>
/// A queue can't be placed or reached: no pool can take it (its flavor has no pool of non-zero weight), or its pool is
/// not (or no longer) registered. A storage failure as far as clients are concerned (503).
/// </summary>
public sealed class PoolUnavailableException(string message) : Exception(message);
