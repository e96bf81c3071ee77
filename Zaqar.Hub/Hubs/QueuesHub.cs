using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// The persistent transport (issue #3), at /hubs/queues: one method per operation of the REST API, each calling
/// the same common API layer with the same rules and returning REST's body shapes; plus push (Subscribe) and
/// the consume stream. Topics (issue #4) have methods of their own, named after the queue ones. Thin: bind,
/// call, return. Errors reach clients as <see cref="HubErrors"/> describes. Pools and flavors (issue #6) are in
/// QueuesHub.Pools.cs.
/// </summary>
/// <remarks>Hubs are created per call; state lives in the connection's items and the singletons.</remarks>
public sealed partial class QueuesHub(
    Authenticator authenticator,
    HubSessions sessions,
    QueueService queues,
    MessageService messages,
    ClaimService claims,
    HealthService health,
    ConsumerService consumer,
    PushDispatcher push,
    SubscriptionService subscriptions,
    HubSubscriptions hubSubscriptions,
    PoolService pools,
    FlavorService flavors,
    PresenceService presence,
    PresenceWatchers presenceWatchers,
    StatsService stats) : Microsoft.AspNetCore.SignalR.Hub<IQueuesClient>
{
    public const string Path = "/hubs/queues";

    private CallContext Caller => Context.Caller();

    public override async Task OnConnectedAsync()
    {
        var caller = await HubIdentity.AttachAsync(Context, authenticator);
        sessions.Started(Context.ConnectionId, caller, HubIdentity.ConnectionToken(Context));
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        sessions.Ended(Context.ConnectionId);
        return Task.CompletedTask;
    }

    // Queues

    public async Task<QueueCreatedView> CreateQueue(string queue, JsonElement? metadata) =>
        new(await queues.CreateFromJsonAsync(Caller, queue, metadata, QueueKind.Queue, Context.ConnectionAborted));

    public Task<QueuePageView> ListQueues(ListQueuesArgs? options) =>
        queues.ListAsync(Caller, ListRequest(options), Context.ConnectionAborted);

    public Task<JsonObject> GetQueue(string queue) => queues.GetAsync(Caller, queue, QueueKind.Queue, Context.ConnectionAborted);

    public Task DeleteQueue(string queue) => queues.DeleteAsync(Caller, queue, QueueKind.Queue, Context.ConnectionAborted);

    public Task<QueueStatsView> GetQueueStats(string queue) => queues.StatsAsync(Caller, queue, Context.ConnectionAborted);

    /// <summary>Changes metadata with REST's JSON-patch operations: <c>[{"op": "add", "path": "/metadata/k", "value": 1}]</c>.</summary>
    public Task<JsonObject> UpdateQueueMetadata(string queue, JsonElement changes) =>
        queues.PatchAsync(Caller, queue, changes, contentLength: null, QueueKind.Queue, Context.ConnectionAborted);

    public Task PurgeQueue(string queue, string[]? resourceTypes) =>
        queues.PurgeAsync(Caller, queue, resourceTypes, QueueKind.Queue, Context.ConnectionAborted);

    // Messages

    public Task<PostedView> PostMessages(string queue, MessageArgs[]? batch) =>
        messages.PostAsync(Caller, queue, Drafts(batch), QueueKind.Queue, Context.ConnectionAborted);

    public Task<MessagePageView> ListMessages(string queue, ListMessagesArgs? options) =>
        messages.ListAsync(Caller, queue, ListRequest(options), QueueKind.Queue, Context.ConnectionAborted);

    public Task<MessageView> GetMessage(string queue, string messageId) =>
        messages.GetAsync(Caller, queue, messageId, QueueKind.Queue, Context.ConnectionAborted);

    public Task<MessagesView> GetMessages(string queue, string[]? messageIds) =>
        messages.GetManyAsync(Caller, queue, messageIds, QueueKind.Queue, Context.ConnectionAborted);

    public Task DeleteMessage(string queue, string messageId, string? claimId) =>
        messages.DeleteAsync(Caller, queue, messageId, claimId, QueueKind.Queue, Context.ConnectionAborted);

    public Task DeleteMessages(string queue, string[] messageIds, string[]? claimIds) =>
        messages.DeleteManyAsync(Caller, queue, messageIds, claimIds, pop: null, QueueKind.Queue, Context.ConnectionAborted);

    public async Task<PoppedView> PopMessages(string queue, int count) =>
        (await messages.DeleteManyAsync(Caller, queue, ids: null, claimIds: null, pop: count, QueueKind.Queue, Context.ConnectionAborted))!;

    // Claims

    /// <summary>Claims messages; null when nothing was claimable (REST's 204).</summary>
    public Task<ClaimCreatedView?> CreateClaim(string queue, ClaimArgs? options) =>
        claims.CreateAsync(Caller, queue, options?.Ttl, options?.Grace, options?.Limit, Context.ConnectionAborted);

    public Task<ClaimView> GetClaim(string queue, string claimId) => claims.GetAsync(Caller, queue, claimId, Context.ConnectionAborted);

    public Task UpdateClaim(string queue, string claimId, ClaimArgs? options) =>
        claims.UpdateAsync(Caller, queue, claimId, options?.Ttl, options?.Grace, Context.ConnectionAborted);

    public Task ReleaseClaim(string queue, string claimId) => claims.ReleaseAsync(Caller, queue, claimId, Context.ConnectionAborted);

    // Subscriptions (issue #4)

    /// <summary>
    /// Subscribes a webhook or mailto subscriber; without one, this connection (its messages then arrive through
    /// <see cref="IQueuesClient.Messages"/> until the subscription ends or the connection does).
    /// </summary>
    public Task<SubscriptionCreatedView> CreateSubscription(string queue, SubscriptionArgs? args) =>
        string.IsNullOrEmpty(args?.Subscriber)
            ? hubSubscriptions.CreateAsync(Context.ConnectionId, Caller, QueueKind.Queue, queue, args?.Ttl, args?.Options, Context.ConnectionAborted)
            : subscriptions.CreateAsync(
                Caller, QueueKind.Queue, queue, SubscriptionRules.FromParts(args.Subscriber, args.Ttl, args.Options), Context.ConnectionAborted);

    public Task<SubscriptionPageView> ListSubscriptions(string queue, ListSubscriptionsArgs? options) =>
        subscriptions.ListAsync(
            Caller, QueueKind.Queue, queue, new ListSubscriptionsRequest(options?.Marker, options?.Limit), Context.ConnectionAborted);

    public Task<SubscriptionView> GetSubscription(string queue, string subscriptionId) =>
        subscriptions.GetAsync(Caller, QueueKind.Queue, queue, subscriptionId, Context.ConnectionAborted);

    public Task UpdateSubscription(string queue, string subscriptionId, SubscriptionArgs? changes) =>
        subscriptions.UpdateAsync(Caller, QueueKind.Queue, queue, subscriptionId,
            SubscriptionRules.FromParts(changes?.Subscriber, changes?.Ttl, changes?.Options), Context.ConnectionAborted);

    public Task DeleteSubscription(string queue, string subscriptionId) =>
        subscriptions.DeleteAsync(Caller, QueueKind.Queue, queue, subscriptionId, Context.ConnectionAborted);

    public Task ConfirmSubscription(string queue, string subscriptionId, ConfirmSubscriptionArgs? args) =>
        subscriptions.ConfirmAsync(Caller, QueueKind.Queue, queue, subscriptionId, args?.Confirmed, Context.ConnectionAborted);

    // Ping and health

    /// <summary>True when storage answers (REST: 204 or 503).</summary>
    public Task<bool> Ping() => health.PingAsync(Context.ConnectionAborted);

    /// <summary>REST's health document: <see cref="HealthView"/>'s shape, or with pools one such report per pool.</summary>
    public Task<JsonObject> Health() => health.HealthAsync(Caller, Context.ConnectionAborted);

    /// <summary>
    /// The live stats of issue 15 item 6: a sample now, then one every <c>options.interval</c> seconds (default 2) until the
    /// caller cancels: the depth of <c>options.queues</c> and, for an admin, the node's message rates.
    /// </summary>
    public IAsyncEnumerable<StatsSampleView> StreamStats(StatsArgs? options, CancellationToken cancellationToken) =>
        HubErrors.Translate(stats.StreamAsync(Caller, options?.Queues, options?.Interval, cancellationToken), cancellationToken);

    // Push

    /// <summary>From now on, new messages posted to <paramref name="queue"/> arrive through <see cref="IQueuesClient.Messages"/>.</summary>
    public Task Subscribe(string queue) => push.SubscribeAsync(Context.ConnectionId, Caller, queue, QueueKind.Queue, Context.ConnectionAborted);

    public void Unsubscribe(string queue) => push.Unsubscribe(Context.ConnectionId, Caller, queue);

    /// <summary>
    /// Subscribe that resumes (issue 13): first every message after <c>options.since</c> (the id of the last message the
    /// client saw; every push carries its id), in order, then the new ones, none missed or repeated at the seam. SignalR
    /// has no optional arguments, hence a method of its own; without <c>since</c> it is <see cref="Subscribe"/>.
    /// </summary>
    public Task<SubscribedView> SubscribeSince(string queue, SubscribeArgs? options) =>
        push.ResumeAsync(Context.ConnectionId, Caller, queue, QueueKind.Queue, options?.Since, messages, Context.ConnectionAborted);

    /// <summary>
    /// Claims messages as they arrive and streams them; delete each with its claim_id once processed.
    /// Cancelling the stream releases the claims it still holds.
    /// </summary>
    public IAsyncEnumerable<ConsumedMessageView> Consume(string queue, ConsumeArgs? options, CancellationToken cancellationToken) =>
        HubErrors.Translate(consumer.ConsumeAsync(Caller, queue, options?.Ttl, options?.Grace, options?.Batch, cancellationToken), cancellationToken);

    // Topics (Zaqar v2.1): the queue methods without claims (so no Consume either), with /v2/topics hrefs.

    public async Task<QueueCreatedView> CreateTopic(string topic, JsonElement? metadata) =>
        new(await queues.CreateFromJsonAsync(Caller, topic, metadata, QueueKind.Topic, Context.ConnectionAborted));

    public Task<TopicPageView> ListTopics(ListQueuesArgs? options) =>
        queues.ListTopicsAsync(Caller, ListRequest(options), Context.ConnectionAborted);

    public Task<JsonObject> GetTopic(string topic) => queues.GetAsync(Caller, topic, QueueKind.Topic, Context.ConnectionAborted);

    public Task DeleteTopic(string topic) => queues.DeleteAsync(Caller, topic, QueueKind.Topic, Context.ConnectionAborted);

    public Task<TopicStatsView> GetTopicStats(string topic) => queues.TopicStatsAsync(Caller, topic, Context.ConnectionAborted);

    public Task<JsonObject> UpdateTopicMetadata(string topic, JsonElement changes) =>
        queues.PatchAsync(Caller, topic, changes, contentLength: null, QueueKind.Topic, Context.ConnectionAborted);

    public Task PurgeTopic(string topic, string[]? resourceTypes) =>
        queues.PurgeAsync(Caller, topic, resourceTypes, QueueKind.Topic, Context.ConnectionAborted);

    public Task<PostedView> PostTopicMessages(string topic, MessageArgs[]? batch) =>
        messages.PostAsync(Caller, topic, Drafts(batch), QueueKind.Topic, Context.ConnectionAborted);

    public Task<MessagePageView> ListTopicMessages(string topic, ListMessagesArgs? options) =>
        messages.ListAsync(Caller, topic, ListRequest(options), QueueKind.Topic, Context.ConnectionAborted);

    public Task<MessageView> GetTopicMessage(string topic, string messageId) =>
        messages.GetAsync(Caller, topic, messageId, QueueKind.Topic, Context.ConnectionAborted);

    public Task<MessagesView> GetTopicMessages(string topic, string[] messageIds) =>
        messages.GetManyAsync(Caller, topic, messageIds, QueueKind.Topic, Context.ConnectionAborted);

    public Task DeleteTopicMessage(string topic, string messageId) =>
        messages.DeleteAsync(Caller, topic, messageId, claimId: null, QueueKind.Topic, Context.ConnectionAborted);

    public Task DeleteTopicMessages(string topic, string[] messageIds) =>
        messages.DeleteManyAsync(Caller, topic, messageIds, claimIds: null, pop: null, QueueKind.Topic, Context.ConnectionAborted);

    /// <summary>Removes and returns the oldest messages (REST's <c>?pop=</c>); a topic's have no claim fields.</summary>
    public async Task<PoppedView> PopTopicMessages(string topic, int count) =>
        (await messages.DeleteManyAsync(Caller, topic, ids: null, claimIds: null, pop: count, QueueKind.Topic, Context.ConnectionAborted))!;

    /// <summary>
    /// From now on, new messages posted to <paramref name="topic"/> arrive through <see cref="IQueuesClient.TopicMessages"/>.
    /// </summary>
    public Task SubscribeTopic(string topic) => push.SubscribeAsync(Context.ConnectionId, Caller, topic, QueueKind.Topic, Context.ConnectionAborted);

    public void UnsubscribeTopic(string topic) => push.Unsubscribe(Context.ConnectionId, Caller, topic, QueueKind.Topic);

    /// <summary><see cref="SubscribeSince"/> for a topic: the backlog and the new messages arrive through TopicMessages.</summary>
    public Task<SubscribedView> SubscribeTopicSince(string topic, SubscribeArgs? options) =>
        push.ResumeAsync(Context.ConnectionId, Caller, topic, QueueKind.Topic, options?.Since, messages, Context.ConnectionAborted);

    private static ListQueuesRequest ListRequest(ListQueuesArgs? o) =>
        o is null ? new ListQueuesRequest() : new ListQueuesRequest(o.Marker, o.Limit, o.Detailed, o.Name, o.WithCount);

    private static ListMessagesRequest ListRequest(ListMessagesArgs? o) =>
        o is null ? new ListMessagesRequest() : new ListMessagesRequest(o.Marker, o.Limit, o.Echo, o.IncludeClaimed, o.IncludeDelayed);

    private static List<MessageDraft> Drafts(MessageArgs[]? batch) =>
        (batch ?? []).Select(m => new MessageDraft(m.Body, m.Ttl, m.Delay)).ToList();
}
