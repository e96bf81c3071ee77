using Zaqar.Data;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>
/// Queues and topics: list, create, read, patch metadata, delete, stats, purge (zaqar-v2-api.md sections 2 and 8).
/// A topic follows the queue rules in its own name space; only its listing and stats have shapes of their own.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed partial class QueueService(
    QueueStore queues, StorageGuard guard, IOptions<ZaqarOptions> options, TimeProvider time, MessageCrypto crypto,
    SubscriptionService subscriptions, QueueSettingsCache settingsCache)
{
    public static readonly string[] PurgeableResourceTypes = ["messages", "subscriptions"];

    private ZaqarOptions O => options.Value;

    /// <summary>
    /// Creates a queue from a JSON metadata document (empty body: no metadata). False when it already existed;
    /// an existing queue's metadata is left as it is (Zaqar's stores do the same).
    /// </summary>
    public async Task<bool> CreateJsonAsync(
        CallContext ctx, string queue, long? contentLength, Func<long, Task<ReadOnlyMemory<byte>>> readBody,
        QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
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
            metadata = AcceptableJson.DocumentNode(document.RootElement)!.AsObject();
        }
        return await CreateAsync(ctx, queue, metadata, kind, ct);
    }

    /// <summary>Creates a queue from a metadata value a transport bound (must be a JSON object, or absent).</summary>
    public Task<bool> CreateFromJsonAsync(
        CallContext ctx, string queue, JsonElement? metadata, QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        if (metadata is not { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } value)
        {
            return CreateAsync(ctx, queue, null, kind, ct);
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        return CreateAsync(ctx, queue, AcceptableJson.DocumentNode(value)!.AsObject(), kind, ct);
    }

    /// <summary>Creates a queue with <paramref name="metadata"/>; false when it already existed (metadata untouched).</summary>
    public async Task<bool> CreateAsync(
        CallContext ctx, string queue, JsonObject? metadata, QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        metadata ??= [];
        var text = metadata.ToJsonString();
        CheckMetadataSize(System.Text.Encoding.UTF8.GetByteCount(text));
        QueueMetadata.Validate(metadata, O, ApiErrors.BadRequest);
        var now = time.GetUtcNow().UtcDateTime;
        // With pools, a new queue lands on its flavor's pools (zaqar-v2-api.md section 9); without, _flavor is plain metadata.
        var placement = new Placement(Flavor: QueueMetadata.Flavor(metadata));
        try
        {
            var created = await guard.Run(
                () => queues.CreateAsync(ctx.Queue(queue, kind), text, QueueMetadata.Settings(metadata), now, placement, ct),
                $"{kind.Noun()} could not be created.");
            settingsCache.Invalidate(ctx.Queue(queue, kind));
            return created;
        }
        catch (FlavorNotFoundException ex)
        {
            throw ApiErrors.BadRequest(ex.Message);
        }
    }

    /// <summary>The queue's metadata with reserved defaults filled in; a missing queue reads as defaults (queues are lazy).</summary>
    public async Task<JsonObject> GetAsync(CallContext ctx, string queue, QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var stored = await guard.Run(
            () => queues.GetMetadataAsync(ctx.Queue(queue, kind), ct), $"{kind.Noun()} metadata could not be retrieved.");
        return QueueMetadata.WithReservedDefaults(stored is null ? [] : QueueMetadata.Parse(stored), O, kind);
    }

    /// <summary>
    /// Applies a PATCH request body: its media type must be <see cref="MetadataPatch.ContentType"/> (else 415 with
    /// Accept-Patch), its size is checked against <paramref name="contentLength"/> before anything else (as Zaqar
    /// does), and it must not be empty.
    /// </summary>
    public async Task<JsonObject> PatchJsonAsync(
        CallContext ctx, string queue, string? contentType, long? contentLength, Func<long, Task<ReadOnlyMemory<byte>>> readBody,
        QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
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
        return await PatchAsync(ctx, queue, document.RootElement, body.Length, kind, ct);
    }

    /// <summary>Applies a metadata JSON-patch document atomically; returns the metadata after it (defaults filled in).</summary>
    public async Task<JsonObject> PatchAsync(
        CallContext ctx, string queue, JsonElement document, long? contentLength = null, QueueKind kind = QueueKind.Queue,
        CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        CheckMetadataSize(contentLength ?? 0);
        var changes = MetadataPatch.Parse(document);
        var updated = await guard.Run(() => queues.UpdateMetadataAsync(ctx.Queue(queue, kind), current =>
        {
            var metadata = QueueMetadata.Parse(current);
            MetadataPatch.Apply(metadata, changes, O, kind);
            QueueMetadata.Validate(metadata, O, ApiErrors.BadBody);
            var text = metadata.ToJsonString();
            CheckMetadataSize(System.Text.Encoding.UTF8.GetByteCount(text));
            return (text, QueueMetadata.Settings(metadata));
        }, ct), $"{kind.Noun()} could not be updated.");
        // Posts here would notice the new version anyway; dropping the entry spares them the retry.
        settingsCache.Invalidate(ctx.Queue(queue, kind));
        if (updated is null)
        {
            throw ApiErrors.NotFound($"{kind.Noun()} {queue} does not exist for project {ctx.ProjectId}");
        }
        return QueueMetadata.WithReservedDefaults(QueueMetadata.Parse(updated), O, kind);
    }

    public async Task DeleteAsync(CallContext ctx, string queue, QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        await guard.Run(() => queues.DeleteAsync(ctx.Queue(queue, kind), ct), $"{kind.Noun()} could not be deleted.");
        settingsCache.Invalidate(ctx.Queue(queue, kind));
    }

    public async Task<QueueStatsView> StatsAsync(CallContext ctx, string queue, CancellationToken ct = default)
    {
        var (counts, now) = await CountAsync(ctx, queue, QueueKind.Queue, ct);
        return new QueueStatsView(new MessageCountsView(counts.Claimed, counts.Total - counts.Claimed, counts.Total)
        {
            Oldest = StatView(queue, counts.Oldest, now),
            Newest = StatView(queue, counts.Newest, now),
        });
    }

    /// <summary>A topic's stats: only the total and the oldest and newest messages, since nothing on a topic is claimed.</summary>
    public async Task<TopicStatsView> TopicStatsAsync(CallContext ctx, string topic, CancellationToken ct = default)
    {
        var (counts, now) = await CountAsync(ctx, topic, QueueKind.Topic, ct);
        return new TopicStatsView(new TopicMessageCountsView(counts.Total)
        {
            Oldest = TopicStatView(topic, counts.Oldest, now),
            Newest = TopicStatView(topic, counts.Newest, now),
        });
    }

    /// <summary>
    /// Purges the queue's messages and/or subscriptions (<c>{"resource_types": [...]}</c>; no document: both).
    /// </summary>
    public Task PurgeJsonAsync(
        CallContext ctx, string queue, JsonElement? document, QueueKind kind = QueueKind.Queue, CancellationToken ct = default)
    {
        if (document is not { } doc)
        {
            return PurgeAsync(ctx, queue, null, kind, ct);
        }
        if (doc.ValueKind != JsonValueKind.Object || !doc.TryGetProperty("resource_types", out var list))
        {
            throw ApiErrors.BadRequest("Post body must contain key \"resource_types\".");
        }
        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
        {
            throw ApiErrors.BadRequest("Resource types must be a sub set of {'messages', 'subscriptions'}.");
        }
        return PurgeAsync(ctx, queue, list.EnumerateArray().Select(t => t.GetString()!).ToList(), kind, ct);
    }

    /// <summary>Purges the listed resource types ("messages", "subscriptions"); null means both.</summary>
    public async Task PurgeAsync(
        CallContext ctx, string queue, IReadOnlyList<string>? resourceTypes, QueueKind kind = QueueKind.Queue,
        CancellationToken ct = default)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var types = resourceTypes ?? PurgeableResourceTypes;
        if (types.Any(t => !PurgeableResourceTypes.Contains(t)))
        {
            throw ApiErrors.BadRequest("Resource types must be a sub set of {'messages', 'subscriptions'}.");
        }
        if (types.Contains("messages"))
        {
            await guard.Run(() => queues.PurgeMessagesAsync(ctx.Queue(queue, kind), ct), $"{kind.Noun()} could not be purged.");
        }
        if (types.Contains("subscriptions"))
        {
            await subscriptions.PurgeAsync(ctx, QueueKind.Queue, queue, ct);
        }
    }

    private async Task<(QueueCounts Counts, DateTime Now)> CountAsync(CallContext ctx, string queue, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var now = time.GetUtcNow().UtcDateTime;
        var counts = await guard.Run(
            () => queues.CountMessagesAsync(ctx.Queue(queue, kind), now, ct), $"{kind.Noun()} stats could not be read.");
        return (counts, now);
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
            Created(m), Paths.Message(queue, id));
    }

    private TopicMessageStatView? TopicStatView(string topic, StoredMessage? m, DateTime now) => m is null
        ? null
        : new TopicMessageStatView(MessageService.Age(m.CreatedAt, now), m.Ttl, crypto.Body(m), Created(m),
            Paths.Message(topic, m.Id.ToString("D"), QueueKind.Topic));

    private static string Created(StoredMessage m) => m.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private void CheckMetadataSize(long size)
    {
        if (size > O.MaxQueueMetadata)
        {
            throw ApiErrors.BadRequest($"Queue metadata is too large. Max size: {O.MaxQueueMetadata}");
        }
    }
}
