using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Api;

/// <summary>
/// The pools of a deployment (zaqar-v2-api.md section 9, issue #6): list, register, read, change, remove. Admin only,
/// and only routed with admin mode and pooling on. Registering a database (or pointing a pool at another one) first
/// connects to it and brings its schema up to date, so a pool serves queues from its first placement.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed partial class PoolService(
    PoolStore store,
    PoolRegistry registry,
    StorageGuard guard,
    IOptions<ZaqarOptions> options,
    IOptions<PoolingOptions> pooling,
    IOptions<PoolRegistrationOptions> registration,
    ILogger<PoolService> logger)
{
    public const string Collection = "/v2/pools";

    /// <summary>The pool and flavor routes exist: Zaqar routes them only with <c>admin_mode</c> and <c>pooling</c>.</summary>
    public bool Routed => options.Value.AdminMode && pooling.Value.Enabled;

    public async Task<PoolPageView> ListAsync(CallContext ctx, ListPoolsRequest request, CancellationToken ct = default)
    {
        Authorize(ctx);
        var limit = Limit(request.Limit, options.Value.MaxPoolsPerPage);
        var detailed = request.Detailed ?? false;
        var marker = AcceptableJson.Parameter("marker", request.Marker);
        var page = await guard.Run(() => store.ListPoolsAsync(marker, limit, ct), "Pools could not be listed.");
        var views = page.Select(p => View(p, detailed)).ToList();
        var links = views.Count == 0 ? [] : Paths.Next(Collection, Parameters(request), views[^1].Name);
        return new PoolPageView(views, links);
    }

    /// <summary>Registers a pool, or replaces the pool of that name (Zaqar's PUT is an upsert): 201 either way.</summary>
    /// <remarks>Like every write here, the caller is authorized before its document is read (<paramref name="readDocument"/>).</remarks>
    public async Task CreateAsync(CallContext ctx, string pool, Func<Task<JsonElement?>> readDocument, CancellationToken ct = default)
    {
        Authorize(ctx);
        PoolRules.ValidateName(pool, "pool");
        var draft = PoolRules.ReadPool(await readDocument(), patch: false);
        CheckFlavorName(draft.Flavor);
        await PrepareAsync(pool, draft.Uri!, ct);
        var info = new PoolInfo(pool, draft.Uri!, draft.Weight!.Value, draft.Flavor, draft.Options ?? "{}");
        Written(await guard.Run(() => store.PutPoolAsync(info, ct), "Pool could not be created."), pool, draft.Flavor);
        await ReloadAsync(ct);
    }

    public async Task<PoolView> GetAsync(CallContext ctx, string pool, bool detailed, CancellationToken ct = default)
    {
        Authorize(ctx);
        var found = await guard.Run(() => store.GetPoolAsync(pool, ct), "Pool could not be retrieved.");
        return found is null ? throw NotFound(pool) : View(found, detailed);
    }

    /// <summary>Changes any of uri, weight, flavor and options; returns the pool (not detailed, as Zaqar does).</summary>
    public async Task<PoolView> UpdateAsync(CallContext ctx, string pool, Func<Task<JsonElement?>> readDocument, CancellationToken ct = default)
    {
        Authorize(ctx);
        var draft = PoolRules.ReadPool(await readDocument(), patch: true);
        CheckFlavorName(draft.Flavor);
        if (draft.Uri is { } uri)
        {
            await PrepareAsync(pool, uri, ct);
        }
        var changes = new PoolChanges(draft.Uri, draft.Weight, draft.HasFlavor, draft.Flavor, draft.Options);
        var (outcome, updated) = await guard.Run(() => store.UpdatePoolAsync(pool, changes, ct), "Pool could not be updated.");
        Written(outcome, pool, draft.Flavor);
        await ReloadAsync(ct);
        return View(updated!, detailed: false);
    }

    /// <summary>
    /// Removes a pool: 204, also when there is none. Refused (403) while a flavor lists it or queues live on it: their rows
    /// would be lost to routing. Move a pool out of its flavor and drain it (weight 0 stops new queues) first.
    /// </summary>
    public async Task DeleteAsync(CallContext ctx, string pool, CancellationToken ct = default)
    {
        Authorize(ctx);
        var outcome = await guard.Run(() => store.DeletePoolAsync(pool, ct), "Pool could not be deleted.");
        if (outcome.UsedByFlavor is { } flavor)
        {
            throw ApiErrors.UnableToDelete(403, $"This pool is used by flavors {flavor}; It cannot be deleted.");
        }
        if (outcome.Refused)
        {
            throw ApiErrors.UnableToDelete(403, $"This pool holds {outcome.Queues} queues; It cannot be deleted.");
        }
        await ReloadAsync(ct);
    }

    /// <summary>404 unless routed, then 403 unless admin: what Zaqar answers without the route, then the policy.</summary>
    internal void Authorize(CallContext ctx)
    {
        RequireRouted();
        ctx.RequireAdmin();
    }

    internal void RequireRouted()
    {
        if (!Routed)
        {
            throw ApiErrors.NoSuchRoute;
        }
    }

    internal int Limit(int? requested, int max)
    {
        var limit = requested ?? 10;
        return limit >= 1 && limit <= max ? limit : throw ApiErrors.BadRequest($"Limit must be at least 1 and no greater than {max}.");
    }

    internal static IEnumerable<KeyValuePair<string, string>> Parameters(ListPoolsRequest r)
    {
        if (r.Limit is { } limit)
        {
            yield return new("limit", limit.ToString(CultureInfo.InvariantCulture));
        }
        if (r.Detailed is { } detailed)
        {
            yield return new("detailed", detailed ? "true" : "false");
        }
    }

    /// <summary>Reads the pool list again after a change, so this node routes with it at once (others hear by NOTIFY).</summary>
    internal Task ReloadAsync(CancellationToken ct) => guard.Run(() => registry.ReloadAsync(ct), "Pools could not be read.");

    private async Task PrepareAsync(string pool, string uri, CancellationToken ct)
    {
        if (!PoolRules.IsConnectionString(uri))
        {
            throw CannotConnect(uri);
        }
        var (outcome, error) = await ZaqarDatabase.PrepareAsync(
            uri, migrate: registration.Value.MigrateSchema, TimeSpan.FromSeconds(pooling.Value.ConnectTimeoutSeconds), ct);
        switch (outcome)
        {
            case PoolPreparation.CannotConnect:
                CannotConnectLog(logger, pool, error!);
                throw CannotConnect(uri);
            case PoolPreparation.MigrationFailed:
                MigrationFailed(logger, pool, error!);
                throw new ZaqarException(400, "Unable to create pool", $"The schema of pool {pool} could not be brought up to date.");
        }
    }

    private static void Written(PoolWriteOutcome outcome, string pool, string? flavor)
    {
        switch (outcome)
        {
            case PoolWriteOutcome.NotFound:
                throw NotFound(pool);
            case PoolWriteOutcome.UriInUse:
                throw ApiErrors.Conflict("The database URI is in use by another pool.");
            case PoolWriteOutcome.FlavorMissing:
                throw ApiErrors.BadRequest($"Flavor {flavor} does not exist");
        }
    }

    private static void CheckFlavorName(string? flavor)
    {
        // Longer names can't be stored, so no such flavor exists.
        if (flavor is { Length: > PoolRules.MaxNameLength })
        {
            throw ApiErrors.BadRequest($"Flavor {flavor} does not exist");
        }
    }

    private static PoolView View(PoolInfo p, bool detailed) =>
        new(p.Name, $"{Collection}/{p.Name}", p.Uri, p.Weight, p.Flavor) { Options = detailed ? QueueMetadata.Parse(p.Options) : null };

    private static ZaqarException NotFound(string pool) => ApiErrors.NotFound($"Pool {pool} does not exist");

    private static ZaqarException CannotConnect(string uri) => ApiErrors.BadBody($"cannot connect to {uri}");

    [LoggerMessage(1, LogLevel.Warning, "Pool {Pool}: cannot connect to its database", EventName = "PoolCannotConnect")]
    private static partial void CannotConnectLog(ILogger logger, string pool, Exception exception);

    [LoggerMessage(2, LogLevel.Error, "Pool {Pool}: migrating its database failed", EventName = "PoolMigrationFailed")]
    private static partial void MigrationFailed(ILogger logger, string pool, Exception exception);
}
