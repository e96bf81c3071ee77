using Zaqar.Data;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>Queues: list, create, read, patch metadata, delete, stats, purge (zaqar-v2-api.md section 2).</summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class QueueService(
    QueueStore queues, StorageGuard guard, IOptions<ZaqarOptions> options, TimeProvider time, MessageCrypto crypto,
    SubscriptionService subscriptions)
{
    public static readonly string[] PurgeableResourceTypes = ["messages", "subscriptions"];

    private ZaqarOptions O => options.Value;

    public async Task<QueuePageView> ListAsync(CallContext ctx, ListQueuesRequest request, CancellationToken ct = default)
    {
        var limit = request.Limit ?? 10;
        if (limit < 1 || limit > O.MaxQueuesPerPage)
        {
            throw ApiErrors.BadRequest($"Limit must be at least 1 and no greater than {O.MaxQueuesPerPage}.");
        }
        var filter = MetadataFilter(request.MetadataFilters);
        var page = await guard.Run(
            () => queues.ListAsync(ctx.ProjectId, QueueKind.Queue, request.Marker, limit, request.Name, filter, ct), "Queues could not be listed.");
        var detailed = request.Detailed ?? false;
        var views = page.Select(q => new QueueView(q.Name, Paths.Queue(q.Name))
        {
            Metadata = detailed ? QueueMetadata.WithReservedDefaults(QueueMetadata.Parse(q.Metadata), O) : null,
        }).ToList();
        long? count = null;
        if (request.WithCount == true)
        {
            var total = await guard.Run(() => queues.CountAsync(ctx.ProjectId, QueueKind.Queue, request.Name, filter, ct), "Queues could not be listed.");
            count = total == 0 ? null : total;
        }
        var links = views.Count == 0 ? [] : Paths.Next("/v2/queues", Parameters(request), views[^1].Name);
        return new QueuePageView(views, links) { Count = count };
    }

    /// <summary>
    /// Creates a queue from a JSON metadata document (empty body: no metadata). False when it already existed;
    /// an existing queue's metadata is left as it is (Zaqar's stores do the same).
    /// </summary>
    public async Task<bool> CreateJsonAsync(
        CallContext ctx, string queue, long? contentLength, Func<long, Task<ReadOnlyMemory<byte>>> readBody, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        CheckMetadataSize(contentLength ?? 0);
        var body = await readBody(O.MaxQueueMetadata);
        CheckMetadataSize(body.Length);
        JsonObject metadata = [];
        if (body.Length > 0)
        {
            using var document = JsonInput.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrors.DocumentTypeNotSupported;
            }
            metadata = JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
        }
        return await CreateAsync(ctx, queue, metadata, ct);
    }

    /// <summary>Creates a queue from a metadata value a transport bound (must be a JSON object, or absent).</summary>
    public Task<bool> CreateFromJsonAsync(CallContext ctx, string queue, JsonElement? metadata, CancellationToken ct = default)
    {
        if (metadata is not { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } value)
        {
            return CreateAsync(ctx, queue, null, ct);
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        return CreateAsync(ctx, queue, JsonNode.Parse(value.GetRawText())!.AsObject(), ct);
    }

    /// <summary>Creates a queue with <paramref name="metadata"/>; false when it already existed (metadata untouched).</summary>
    public async Task<bool> CreateAsync(CallContext ctx, string queue, JsonObject? metadata, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        metadata ??= [];
        var text = metadata.ToJsonString();
        CheckMetadataSize(System.Text.Encoding.UTF8.GetByteCount(text));
        QueueMetadata.Validate(metadata, O, ApiErrors.BadRequest);
        var now = time.GetUtcNow().UtcDateTime;
        return await guard.Run(() => queues.CreateAsync(ctx.Queue(queue), text, now, ct), "Queue could not be created.");
    }

    /// <summary>The queue's metadata with reserved defaults filled in; a missing queue reads as defaults (queues are lazy).</summary>
    public async Task<JsonObject> GetAsync(CallContext ctx, string queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var stored = await guard.Run(() => queues.GetMetadataAsync(ctx.Queue(queue), ct), "Queue metadata could not be retrieved.");
        return QueueMetadata.WithReservedDefaults(stored is null ? [] : QueueMetadata.Parse(stored), O);
    }

    /// <summary>
    /// Applies a PATCH request body: its media type must be <see cref="MetadataPatch.ContentType"/> (else 415 with
    /// Accept-Patch), its size is checked against <paramref name="contentLength"/> before anything else (as Zaqar
    /// does), and it must not be empty.
    /// </summary>
    public async Task<JsonObject> PatchJsonAsync(
        CallContext ctx, string queue, string? contentType, long? contentLength, Func<long, Task<ReadOnlyMemory<byte>>> readBody,
        CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        CheckMetadataSize(contentLength ?? 0);
        if (!string.Equals(contentType?.Split(';')[0].Trim(), MetadataPatch.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ZaqarException(415, $"Accepted media type for PATCH: {MetadataPatch.ContentType}.")
            {
                Headers = new Dictionary<string, string> { ["Accept-Patch"] = MetadataPatch.ContentType },
            };
        }
        var body = await readBody(O.MaxQueueMetadata);
        CheckMetadataSize(body.Length);
        if (body.Length == 0)
        {
            throw ApiErrors.BadBody("PATCH body could not be empty for update.");
        }
        using var document = JsonInput.Parse(body);
        return await PatchAsync(ctx, queue, document.RootElement, body.Length, ct);
    }

    /// <summary>Applies a metadata JSON-patch document atomically; returns the metadata after it (defaults filled in).</summary>
    public async Task<JsonObject> PatchAsync(CallContext ctx, string queue, JsonElement document, long? contentLength = null, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        CheckMetadataSize(contentLength ?? 0);
        var changes = MetadataPatch.Parse(document);
        var updated = await guard.Run(() => queues.UpdateMetadataAsync(ctx.Queue(queue), current =>
        {
            var metadata = QueueMetadata.Parse(current);
            MetadataPatch.Apply(metadata, changes, O);
            QueueMetadata.Validate(metadata, O, ApiErrors.BadBody);
            var text = metadata.ToJsonString();
            CheckMetadataSize(System.Text.Encoding.UTF8.GetByteCount(text));
            return text;
        }, ct), "Queue could not be updated.");
        if (updated is null)
        {
            throw ApiErrors.NotFound($"Queue {queue} does not exist for project {ctx.ProjectId}");
        }
        return QueueMetadata.WithReservedDefaults(QueueMetadata.Parse(updated), O);
    }

    public async Task DeleteAsync(CallContext ctx, string queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        await guard.Run(() => queues.DeleteAsync(ctx.Queue(queue), ct), "Queue could not be deleted.");
    }

    public async Task<QueueStatsView> StatsAsync(CallContext ctx, string queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var now = time.GetUtcNow().UtcDateTime;
        var counts = await guard.Run(() => queues.CountMessagesAsync(ctx.Queue(queue), now, ct), "Queue stats could not be read.");
        return new QueueStatsView(new MessageCountsView(counts.Claimed, counts.Total - counts.Claimed, counts.Total)
        {
            Oldest = StatView(queue, counts.Oldest, now),
            Newest = StatView(queue, counts.Newest, now),
        });
    }

    /// <summary>
    /// Purges the queue's messages and/or subscriptions (<c>{"resource_types": [...]}</c>; no document: both).
    /// </summary>
    public Task PurgeJsonAsync(CallContext ctx, string queue, JsonElement? document, CancellationToken ct = default)
    {
        if (document is not { } doc)
        {
            return PurgeAsync(ctx, queue, null, ct);
        }
        if (doc.ValueKind != JsonValueKind.Object || !doc.TryGetProperty("resource_types", out var list))
        {
            throw ApiErrors.BadRequest("Post body must contain key \"resource_types\".");
        }
        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
        {
            throw ApiErrors.BadRequest("Resource types must be a sub set of {'messages', 'subscriptions'}.");
        }
        return PurgeAsync(ctx, queue, list.EnumerateArray().Select(t => t.GetString()!).ToList(), ct);
    }

    /// <summary>Purges the listed resource types ("messages", "subscriptions"); null means both.</summary>
    public async Task PurgeAsync(CallContext ctx, string queue, IReadOnlyList<string>? resourceTypes, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var types = resourceTypes ?? PurgeableResourceTypes;
        if (types.Any(t => !PurgeableResourceTypes.Contains(t)))
        {
            throw ApiErrors.BadRequest("Resource types must be a sub set of {'messages', 'subscriptions'}.");
        }
        if (types.Contains("messages"))
        {
            await guard.Run(() => queues.PurgeMessagesAsync(ctx.Queue(queue), ct), "Queue could not be purged.");
        }
        if (types.Contains("subscriptions"))
        {
            await subscriptions.PurgeAsync(ctx, QueueKind.Queue, queue, ct);
        }
    }

    private MessageStatView? StatView(string queue, StoredMessage? m, DateTime now)
    {
        if (m is null)
        {
            return null;
        }
        var id = m.Id.ToString("D");
        return new MessageStatView(
            MessageService.Age(m.CreatedAt, now), m.Ttl, crypto.Body(m), m.ClaimId?.ToString("D"), m.ClaimCount,
            m.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Paths.Message(queue, id));
    }

    private void CheckMetadataSize(long size)
    {
        if (size > O.MaxQueueMetadata)
        {
            throw ApiErrors.BadRequest($"Queue metadata is too large. Max size: {O.MaxQueueMetadata}");
        }
    }

    // Zaqar passes unknown list parameters to the store as metadata filters, numbers as numbers.
    private static string? MetadataFilter(IReadOnlyList<KeyValuePair<string, string>>? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return null;
        }
        var filter = new JsonObject();
        foreach (var (key, value) in filters)
        {
            filter[key] = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? JsonValue.Create(n)
                : JsonValue.Create(value);
        }
        return filter.ToJsonString();
    }

    private static IEnumerable<KeyValuePair<string, string>> Parameters(ListQueuesRequest r)
    {
        if (r.Limit is { } limit)
        {
            yield return new("limit", limit.ToString(CultureInfo.InvariantCulture));
        }
        if (r.Detailed is { } detailed)
        {
            yield return new("detailed", detailed ? "true" : "false");
        }
        if (r.Name is { } name)
        {
            yield return new("name", name);
        }
        if (r.WithCount is { } withCount)
        {
            yield return new("with_count", withCount ? "true" : "false");
        }
        foreach (var filter in r.MetadataFilters ?? [])
        {
            yield return filter;
        }
    }
}
