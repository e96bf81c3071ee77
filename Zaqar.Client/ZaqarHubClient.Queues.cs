using System.Text.Json.Nodes;

namespace Zaqar.Client;

// Queues: create, list, read and change metadata, stats, purge, delete; and the operator health report.
public sealed partial class ZaqarHubClient
{
    /// <summary>Creates a queue with optional metadata; false when it existed already.</summary>
    public async Task<bool> CreateQueueAsync(string queue, JsonObject? metadata = null, CancellationToken cancellationToken = default) =>
        (await CallAsync<Created>("CreateQueue", [queue, metadata], cancellationToken)).Value;

    /// <summary>Lists the project's queues.</summary>
    public Task<QueuePage> ListQueuesAsync(ListQueuesOptions? options = null, CancellationToken cancellationToken = default) =>
        CallAsync<QueuePage>("ListQueues", [options], cancellationToken);

    /// <summary>The queue's metadata.</summary>
    public Task<JsonObject> GetQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        CallAsync<JsonObject>("GetQueue", [queue], cancellationToken);

    /// <summary>Deletes a queue with its messages, claims and subscriptions.</summary>
    public Task DeleteQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteQueue", [queue], cancellationToken);

    /// <summary>A queue's message counts, and its oldest and newest message.</summary>
    public Task<QueueStats> GetQueueStatsAsync(string queue, CancellationToken cancellationToken = default) =>
        CallAsync<QueueStats>("GetQueueStats", [queue], cancellationToken);

    /// <summary>Changes metadata (REST's JSON-patch on /metadata/key); returns the metadata after the changes.</summary>
    public Task<JsonObject> UpdateQueueMetadataAsync(string queue, IEnumerable<MetadataChange> changes, CancellationToken cancellationToken = default) =>
        CallAsync<JsonObject>("UpdateQueueMetadata", [queue, Patch(changes)], cancellationToken);

    /// <summary>Deletes the queue's messages and/or subscriptions (<c>"messages"</c>, <c>"subscriptions"</c>; both when null).</summary>
    public Task PurgeQueueAsync(string queue, IReadOnlyList<string>? resourceTypes = null, CancellationToken cancellationToken = default) =>
        CallAsync("PurgeQueue", [queue, resourceTypes?.ToArray()], cancellationToken);

    /// <summary>REST's health document (operators: admin role).</summary>
    public Task<JsonObject> HealthAsync(CancellationToken cancellationToken = default) => CallAsync<JsonObject>("Health", [], cancellationToken);

    private static JsonArray Patch(IEnumerable<MetadataChange> changes) => [.. changes.Select(c => (JsonNode)c.ToPatch())];
}
