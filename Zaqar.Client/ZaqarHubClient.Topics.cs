using System.Text.Json.Nodes;

namespace Zaqar.Client;

// Topics (Zaqar v2.1): the queue operations without claims, and push subscriptions of their own.
public sealed partial class ZaqarHubClient
{
    /// <summary>Creates a topic with optional metadata; false when it existed already.</summary>
    public async Task<bool> CreateTopicAsync(string topic, JsonObject? metadata = null, CancellationToken cancellationToken = default) =>
        (await CallAsync<Created>("CreateTopic", [topic, metadata], cancellationToken)).Value;

    /// <summary>Lists the project's topics.</summary>
    public Task<TopicPage> ListTopicsAsync(ListQueuesOptions? options = null, CancellationToken cancellationToken = default) =>
        CallAsync<TopicPage>("ListTopics", [options], cancellationToken);

    /// <summary>The topic's metadata.</summary>
    public Task<JsonObject> GetTopicAsync(string topic, CancellationToken cancellationToken = default) =>
        CallAsync<JsonObject>("GetTopic", [topic], cancellationToken);

    /// <summary>Deletes a topic with its messages and subscriptions.</summary>
    public Task DeleteTopicAsync(string topic, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteTopic", [topic], cancellationToken);

    /// <summary>A topic's message count, and its oldest and newest message.</summary>
    public Task<TopicStats> GetTopicStatsAsync(string topic, CancellationToken cancellationToken = default) =>
        CallAsync<TopicStats>("GetTopicStats", [topic], cancellationToken);

    /// <summary>Changes a topic's metadata; returns the metadata after the changes.</summary>
    public Task<JsonObject> UpdateTopicMetadataAsync(string topic, IEnumerable<MetadataChange> changes, CancellationToken cancellationToken = default) =>
        CallAsync<JsonObject>("UpdateTopicMetadata", [topic, Patch(changes)], cancellationToken);

    /// <summary>Deletes a topic's messages and/or subscriptions (both when null).</summary>
    public Task PurgeTopicAsync(string topic, IReadOnlyList<string>? resourceTypes = null, CancellationToken cancellationToken = default) =>
        CallAsync("PurgeTopic", [topic, resourceTypes?.ToArray()], cancellationToken);

    /// <summary>Posts messages to a topic; returns their ids in posting order.</summary>
    public Task<PostResult> PostToTopicAsync(string topic, IEnumerable<NewMessage> messages, CancellationToken cancellationToken = default) =>
        CallAsync<PostResult>("PostTopicMessages", [topic, messages.ToArray()], cancellationToken);

    /// <summary>Lists a topic's messages.</summary>
    public Task<MessagePage> ListTopicMessagesAsync(string topic, ListMessagesOptions? options = null, CancellationToken cancellationToken = default) =>
        CallAsync<MessagePage>("ListTopicMessages", [topic, options], cancellationToken);

    /// <summary>One message of a topic.</summary>
    public Task<Message> GetTopicMessageAsync(string topic, string messageId, CancellationToken cancellationToken = default) =>
        CallAsync<Message>("GetTopicMessage", [topic, messageId], cancellationToken);

    /// <summary>The messages of a topic with these ids that exist.</summary>
    public async Task<IReadOnlyList<Message>> GetTopicMessagesAsync(string topic, IEnumerable<string> messageIds, CancellationToken cancellationToken = default) =>
        (await CallAsync<MessageList>("GetTopicMessages", [topic, messageIds.ToArray()], cancellationToken)).Messages;

    /// <summary>Deletes a message of a topic.</summary>
    public Task DeleteTopicMessageAsync(string topic, string messageId, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteTopicMessage", [topic, messageId], cancellationToken);

    /// <summary>Deletes messages of a topic.</summary>
    public Task DeleteTopicMessagesAsync(string topic, IEnumerable<string> messageIds, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteTopicMessages", [topic, messageIds.ToArray()], cancellationToken);

    /// <summary>Removes and returns up to count of a topic's oldest messages.</summary>
    public async Task<IReadOnlyList<PoppedMessage>> PopTopicAsync(string topic, int count, CancellationToken cancellationToken = default) =>
        (await CallAsync<PoppedList>("PopTopicMessages", [topic, count], cancellationToken)).Messages;

    /// <summary>Hands every message posted to <paramref name="topic"/> from now on to <paramref name="handler"/> (see SubscribeAsync).</summary>
    public Task<IAsyncDisposable> SubscribeTopicAsync(string topic, Func<PushedMessage, Task> handler, CancellationToken cancellationToken = default) =>
        _push.AddAsync(topic: true, topic, handler, cancellationToken);
}
