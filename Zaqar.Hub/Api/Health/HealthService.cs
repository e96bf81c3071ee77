using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using System.Text.Json.Nodes;
using Zaqar.Data;
using Zaqar.Data.Embedded;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Api;

/// <summary>The result of one operation of the health check.</summary>
public sealed record OperationStatus(
    [property: JsonPropertyName("succeeded")] bool Succeeded,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("ref")] string? Ref);

public sealed record HealthView(
    [property: JsonPropertyName("storage_reachable")] bool StorageReachable,
    [property: JsonPropertyName("operation_status")] IReadOnlyDictionary<string, OperationStatus> OperationStatus);

/// <summary>
/// Ping (does storage answer) and the operator health check, which really runs each queue operation on a
/// throwaway queue in a project of its own (zaqar-v2-api.md section 7). With pools (issue #6) the report is Zaqar's
/// pooled one: <c>catalog_reachable</c> (the primary database) and, keyed by pool name, each pool's own report, whose
/// operations ran on a queue placed on that pool.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class HealthService(
    ZaqarDatabase database, PoolRegistry pools, QueueRouter router, QueueService queues, MessageService messages, ClaimService claims,
    IOptions<ZaqarOptions> options, EmbeddedPostgresSupervisor? embedded = null)
{
    /// <summary>The project the health check's throwaway queues live in, apart from any tenant's queues.</summary>
    public const string HealthProject = "zaqarhub-health-check";

    /// <summary>
    /// True when the primary database answers: the node can route (a pool that is down fails only its queues). False at
    /// once while the embedded PostgreSQL is down or restarting (issue 10).
    /// </summary>
    public async Task<bool> PingAsync(CancellationToken ct = default) =>
        (embedded?.Status.State is null or EmbeddedPostgresState.Running) && await database.PingAsync(ct);

    /// <summary>Why ping failed, in Zaqar's 503: the embedded PostgreSQL's state when it is down or restarting (issue 10).</summary>
    public ZaqarException PingFailure() => embedded?.Status is { State: not EmbeddedPostgresState.Running } status
        ? ApiErrors.Unavailable($"The embedded PostgreSQL is {Words(status.State)} (restart attempt {status.Attempt}).")
        : ApiErrors.Unavailable("Storage does not answer.");

    public async Task<JsonObject> HealthAsync(CallContext caller, CancellationToken ct = default)
    {
        // An operator route: without admin mode it does not exist, on any transport (REST doesn't even route it).
        if (!options.Value.AdminMode)
        {
            throw ApiErrors.NoSuchRoute;
        }
        caller.RequireAdmin();
        var registered = pools.Pools;
        if (registered.Count == 0)
        {
            return Document(await CheckAsync(caller, pool: null, ct));
        }
        var reports = await Task.WhenAll(registered.Select(p => CheckAsync(caller, p.Name, ct)));
        var document = new JsonObject { ["catalog_reachable"] = await database.PingAsync(ct) };
        for (var i = 0; i < registered.Count; i++)
        {
            document[registered[i].Name] = JsonSerializer.SerializeToNode(reports[i])!.AsObject();
        }
        AddEmbedded(document);
        return document;
    }

    /// <summary>The report of one database: the primary one (<paramref name="pool"/> null) or a pool.</summary>
    private async Task<HealthView> CheckAsync(CallContext caller, string? pool, CancellationToken ct)
    {
        var reachable = pool is null
            ? await database.PingAsync(ct)
            : pools.TryGetTarget(pool, out var target) && await ZaqarDatabase.PingAsync(target, ct);
        var status = new Dictionary<string, OperationStatus>();
        if (!reachable)
        {
            return new HealthView(false, status);
        }
        var ctx = new CallContext(HealthProject, Guid.NewGuid().ToString("D"), caller.Roles);
        var queue = "health-" + Guid.NewGuid().ToString("N");
        var body = JsonSerializer.SerializeToElement(new { health = true });

        await Step(status, "create_queue", async () =>
        {
            if (pool is not null)
            {
                // Pinned to the pool under test before it is created.
                await router.PlaceAsync(ctx.Queue(queue), new Placement(Pool: pool), trustCache: false, ct);
            }
            await queues.CreateAsync(ctx, queue, null, QueueKind.Queue, ct);
            return null;
        });
        var posted = await Step(status, "post_messages", async () =>
        {
            var result = await messages.PostAsync(ctx, queue, Enumerable.Repeat(new MessageDraft(body), 100).ToList(), QueueKind.Queue, ct);
            return (result.MessageIds[0], result);
        });
        await Step(status, "list_messages", async () =>
        {
            var page = await messages.ListAsync(ctx, queue, new ListMessagesRequest(Echo: true), QueueKind.Queue, ct);
            return page.Messages.Count > 0 ? null : throw new InvalidOperationException("no messages listed");
        });
        var claim = await Step(status, "claim_messages", async () =>
        {
            var created = await claims.CreateAsync(ctx, queue, null, null, null, ct);
            return created is null ? throw new InvalidOperationException("nothing claimed") : (created.ClaimId, created);
        });
        await Step(status, "delete_messages", async () =>
        {
            var first = claim?.Messages[0].Id ?? throw new InvalidOperationException("no claim");
            await messages.DeleteAsync(ctx, queue, first, claim.ClaimId, QueueKind.Queue, ct);
            return first;
        });
        await Step(status, "delete_claim", async () =>
        {
            var id = claim?.ClaimId ?? throw new InvalidOperationException("no claim");
            await claims.ReleaseAsync(ctx, queue, id, ct);
            return id;
        });
        await Step(status, "bulk_delete_messages", async () =>
        {
            var ids = posted?.MessageIds.Take(20).ToList() ?? throw new InvalidOperationException("nothing posted");
            await messages.DeleteManyAsync(ctx, queue, ids, null, null, QueueKind.Queue, ct);
            return null;
        });
        await Step(status, "delete_queue", async () => { await queues.DeleteAsync(ctx, queue, QueueKind.Queue, ct); return null; });
        return new HealthView(true, status);
    }

    private JsonObject Document(HealthView view)
    {
        var document = JsonSerializer.SerializeToNode(view)!.AsObject();
        AddEmbedded(document);
        return document;
    }

    /// <summary>The embedded PostgreSQL's supervision (issue 10), when the service runs one.</summary>
    private void AddEmbedded(JsonObject document)
    {
        if (embedded?.Status is not { } status)
        {
            return;
        }
        document["embedded_postgres"] = new JsonObject
        {
            ["state"] = Words(status.State),
            ["restart_attempt"] = status.Attempt,
            ["reason"] = status.Reason,
            ["restarts"] = status.Restarts,
        };
    }

    private static string Words(EmbeddedPostgresState state) => state.ToString().ToLowerInvariant();

    private static async Task<T?> Step<T>(Dictionary<string, OperationStatus> status, string name, Func<Task<(string? Ref, T Result)>> step)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var (reference, result) = await step();
            status[name] = new OperationStatus(true, watch.Elapsed.TotalSeconds, reference);
            return result;
        }
        catch (Exception ex) when (ex is ZaqarException or InvalidOperationException || StorageGuard.IsStorageFailure(ex))
        {
            status[name] = new OperationStatus(false, watch.Elapsed.TotalSeconds, null);
            return null;
        }
    }

    private static Task<object?> Step(Dictionary<string, OperationStatus> status, string name, Func<Task<string?>> step) =>
        Step<object>(status, name, async () => (await step(), new object()));
}
