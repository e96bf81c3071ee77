using System.Text.Json;
using Microsoft.Extensions.Options;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Api;

/// <summary>
/// Flavors (zaqar-v2-api.md section 9, issue #6): named groups of pools that a queue picks with its <c>_flavor</c>
/// metadata. Reading is open to every project (Zaqar's policy guards only flavors:create, update and delete); writing
/// needs the admin role. Routed only with admin mode and pooling on.
/// </summary>
/// <remarks>
/// Unlike Zaqar's, flavors are not per project: Zaqar keys them by project but lists a flavor's pools by name alone, so
/// one project's flavor change would move another project's pools. Here a flavor is a deployment-wide catalog entry, like
/// a Nova flavor. The capabilities reported are those of the flavor's pools (every pool is PostgreSQL); the object a
/// PUT may carry is checked and, as in Zaqar, not kept. Singleton; thread-safe.
/// </remarks>
public sealed class FlavorService(PoolStore store, PoolService pools, StorageGuard guard, IOptions<ZaqarOptions> options)
{
    public const string Collection = "/v2/flavors";

    /// <summary>What a PostgreSQL pool offers, in the names of Zaqar's storage capabilities.</summary>
    public static readonly IReadOnlyList<string> PoolCapabilities = ["FIFO", "CLAIMS", "DURABILITY", "AOD", "HIGH_THROUGHPUT"];

    public async Task<FlavorPageView> ListAsync(CallContext ctx, ListPoolsRequest request, CancellationToken ct = default)
    {
        pools.RequireRouted();
        var limit = pools.Limit(request.Limit, options.Value.MaxFlavorsPerPage);
        var detailed = request.Detailed ?? false;
        var marker = AcceptableJson.Parameter("marker", request.Marker);
        var page = await guard.Run(() => store.ListFlavorsAsync(marker, limit, ct), "Flavors could not be listed.");
        var views = page.Select(f => new FlavorView(f.Name, Href(f.Name))
        {
            PoolList = f.Pools.Count > 0 ? f.Pools : null,
            Capabilities = detailed ? Capabilities(f) : null,
        }).ToList();
        var links = views.Count == 0 ? [] : Paths.Next(Collection, PoolService.Parameters(request), views[^1].Name);
        return new FlavorPageView(views, links);
    }

    /// <summary>Creates the flavor (or replaces its pool list): 201. Each listed pool moves to it; a pool serves one flavor.</summary>
    public async Task CreateAsync(CallContext ctx, string flavor, Func<Task<JsonElement?>> readDocument, CancellationToken ct = default)
    {
        pools.Authorize(ctx);
        PoolRules.ValidateName(flavor, "flavor");
        var list = PoolRules.ReadFlavor(await readDocument()) ?? throw ApiErrors.BadBody("'pool_list' is a required property");
        if (list.Count == 0)
        {
            throw new ZaqarException(400, "Unable to create", "Bad Request");
        }
        var outcome = await guard.Run(() => store.PutFlavorAsync(flavor, list, mustExist: false, ct), "Flavor could not be created.");
        if (outcome.MissingPool is { } missing)
        {
            throw new ZaqarException(400, "Unable to create", $"Flavor {flavor} could not be created, error:Pool {missing} does not exist");
        }
        await pools.ReloadAsync(ct);
    }

    public async Task<FlavorView> GetAsync(CallContext ctx, string flavor, CancellationToken ct = default)
    {
        pools.RequireRouted();
        var found = await guard.Run(() => store.GetFlavorAsync(flavor, ct), "Flavor could not be retrieved.");
        return found is null ? throw NotFound(flavor) : Full(found);
    }

    /// <summary>Replaces the flavor's pool list (the only thing a flavor has to change); returns the flavor.</summary>
    public async Task<FlavorView> UpdateAsync(CallContext ctx, string flavor, Func<Task<JsonElement?>> readDocument, CancellationToken ct = default)
    {
        pools.Authorize(ctx);
        var list = PoolRules.ReadFlavor(await readDocument()) ?? throw ApiErrors.BadBody("`pool_list` needs to be specified");
        if (list.Count == 0)
        {
            throw new ZaqarException(400, "Unable to create", "Bad Request");
        }
        var outcome = await guard.Run(() => store.PutFlavorAsync(flavor, list, mustExist: true, ct), "Flavor could not be updated.");
        if (!outcome.Found)
        {
            throw NotFound(flavor);
        }
        if (outcome.MissingPool is { } missing)
        {
            throw new ZaqarException(400, "updatefail", $"Flavor {flavor} cant be updated, error:Pool {missing} does not exist");
        }
        await pools.ReloadAsync(ct);
        return Full(new FlavorInfo(flavor, list.Order(StringComparer.Ordinal).ToList()));
    }

    /// <summary>Deletes the flavor: 204, also when there is none. Its pools serve no flavor afterwards; queues stay where they are.</summary>
    public async Task DeleteAsync(CallContext ctx, string flavor, CancellationToken ct = default)
    {
        pools.Authorize(ctx);
        await guard.Run(() => store.DeleteFlavorAsync(flavor, ct), "Flavor could not be deleted.");
        await pools.ReloadAsync(ct);
    }

    private static FlavorView Full(FlavorInfo f) => new(f.Name, Href(f.Name)) { PoolList = f.Pools, Capabilities = Capabilities(f) };

    private static IReadOnlyList<string> Capabilities(FlavorInfo f) => f.Pools.Count > 0 ? PoolCapabilities : [];

    private static string Href(string flavor) => $"{Collection}/{flavor}";

    private static ZaqarException NotFound(string flavor) => ApiErrors.NotFound($"Flavor {flavor} does not exist");
}
