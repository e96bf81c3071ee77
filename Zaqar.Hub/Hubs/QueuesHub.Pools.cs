using System.Text.Json;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

// Pools and flavors (zaqar-v2-api.md section 9, issue #6) with REST's shapes and rules: they exist only with admin mode
// and pooling on (else REST's 404), and every pool method and every flavor write needs the admin role (else 403). They
// are deliberately absent from HubScopes' map: a connection opened with a pre-signed URL can never call them.
public sealed partial class QueuesHub
{
    public Task<PoolPageView> ListPools(ListPoolsArgs? options) => pools.ListAsync(Caller, PoolListRequest(options), Context.ConnectionAborted);

    /// <summary>Registers (or replaces) a pool: <c>{uri, weight, flavor?, options?}</c>.</summary>
    public Task CreatePool(string pool, JsonElement? document) => pools.CreateAsync(Caller, pool, Document(document), Context.ConnectionAborted);

    public Task<PoolView> GetPool(string pool, bool? detailed) => pools.GetAsync(Caller, pool, detailed ?? false, Context.ConnectionAborted);

    /// <summary>Changes any of <c>uri</c>, <c>weight</c>, <c>flavor</c>, <c>options</c>; returns the pool.</summary>
    public Task<PoolView> UpdatePool(string pool, JsonElement? changes) => pools.UpdateAsync(Caller, pool, Document(changes), Context.ConnectionAborted);

    public Task DeletePool(string pool) => pools.DeleteAsync(Caller, pool, Context.ConnectionAborted);

    public Task<FlavorPageView> ListFlavors(ListPoolsArgs? options) =>
        flavors.ListAsync(Caller, PoolListRequest(options), Context.ConnectionAborted);

    /// <summary>Creates (or replaces) a flavor: <c>{pool_list, capabilities?}</c>.</summary>
    public Task CreateFlavor(string flavor, JsonElement? document) =>
        flavors.CreateAsync(Caller, flavor, Document(document), Context.ConnectionAborted);

    public Task<FlavorView> GetFlavor(string flavor) => flavors.GetAsync(Caller, flavor, Context.ConnectionAborted);

    /// <summary>Replaces the flavor's pool list: <c>{pool_list}</c>; returns the flavor.</summary>
    public Task<FlavorView> UpdateFlavor(string flavor, JsonElement? changes) =>
        flavors.UpdateAsync(Caller, flavor, Document(changes), Context.ConnectionAborted);

    public Task DeleteFlavor(string flavor) => flavors.DeleteAsync(Caller, flavor, Context.ConnectionAborted);

    private static ListPoolsRequest PoolListRequest(ListPoolsArgs? o) => o is null ? new ListPoolsRequest() : new(o.Marker, o.Limit, o.Detailed);

    // A hub argument the caller left out or sent as null is a missing document, as an empty REST body is.
    private static Func<Task<JsonElement?>> Document(JsonElement? value) =>
        () => Task.FromResult(value is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } ? value : null);
}
