using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Entities;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>
/// Subscriptions of queues and topics (zaqar-v2-api.md section 5.1, issue #4): create, list, read, update, delete,
/// confirm, purge; the source's kind picks /v2/queues or /v2/topics, the rules are the same.
/// </summary>
/// <remarks>
/// Subscribers are unique per source: creating an existing one answers its id while it is unconfirmed (and sends
/// the confirmation request again), 409 once confirmed. With <see cref="NotificationOptions.RequireConfirmation"/>
/// the confirmation requests go into the outbox in the transaction that makes them due. Singleton; thread-safe.
/// </remarks>
public sealed partial class SubscriptionService(
    SubscriptionStore store,
    QueueRouter router,
    StorageGuard guard,
    IOptions<ZaqarOptions> options,
    IOptions<NotificationOptions> notifications,
    TimeProvider time,
    ConfirmationDocuments confirmations,
    SubscriptionEvents events,
    WebhookEgress egress)
{
    /// <summary>The subscriber of a hub connection's subscription: this prefix and the connection id.</summary>
    public const string HubSubscriberPrefix = SubscriptionRules.HubScheme + ":";

    private const string Duplicate = "Such subscription already exists. Subscriptions are unique by project + queue + subscriber URI.";

    private ZaqarOptions O => options.Value;

    private NotificationOptions N => notifications.Value;

    /// <summary>Creates from a JSON request body (empty: no document).</summary>
    public async Task<SubscriptionCreatedView> CreateJsonAsync(
        CallContext ctx, QueueKind kind, string name, Func<long, Task<ReadOnlyMemory<byte>>> readBody, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        return await CreateAsync(ctx, kind, name, SubscriptionRules.Read(await ReadDocumentAsync(readBody)), ct);
    }

    /// <summary>Creates a webhook or mailto subscription; creates the source if missing.</summary>
    public async Task<SubscriptionCreatedView> CreateAsync(
        CallContext ctx, QueueKind kind, string name, SubscriptionDraft draft, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        if (!draft.HasSubscriber)
        {
            throw ApiErrors.BadRequest("Missing parameter subscriber in body.");
        }
        var subscriber = draft.Subscriber ?? string.Empty;
        var type = SubscriptionRules.Classify(subscriber, O, egress);
        return (await CreateCoreAsync(ctx.Queue(name, kind), subscriber, type, draft.Ttl, draft.Options, ct)).View;
    }

    /// <summary>
    /// Creates the subscription of a hub connection (zaqar-v2-api.md 10.4): the connection is the subscriber, so it
    /// is confirmed from the start. Returns its id for the hub's registry.
    /// </summary>
    public async Task<(SubscriptionCreatedView View, Guid Id)> CreateForConnectionAsync(
        CallContext ctx, QueueKind kind, string name, string connectionId, int? ttl, JsonObject? subscriptionOptions, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        return await CreateCoreAsync(ctx.Queue(name, kind), HubSubscriberPrefix + connectionId, SubscriberType.Hub, ttl, subscriptionOptions, ct);
    }

    public async Task<SubscriptionPageView> ListAsync(
        CallContext ctx, QueueKind kind, string name, ListSubscriptionsRequest request, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        var limit = request.Limit ?? 10;
        if (limit < 1 || limit > O.MaxSubscriptionsPerPage)
        {
            throw ApiErrors.BadRequest($"Limit must be at least 1 and may not be greater than {O.MaxSubscriptionsPerPage}.");
        }
        Guid? after = null;
        if (request.Marker is { Length: > 0 } marker)
        {
            after = Guid.TryParse(marker, out var id) ? id : throw ApiErrors.InvalidParameter("marker", "The value must be a subscription id.");
        }
        var now = Now();
        var page = await guard.Run(() => store.ListAsync(ctx.Queue(name, kind), after, limit, now, ct), "Subscriptions could not be listed.");
        var views = page.Select(s => SubscriptionView.From(name, s, now)).ToList();
        KeyValuePair<string, string>[] parameters = request.Limit is { } l ? [new("limit", l.ToString(CultureInfo.InvariantCulture))] : [];
        var links = views.Count == 0 ? [] : Paths.Next(SubscriptionPaths.Collection(kind, name), parameters, views[^1].Id);
        return new SubscriptionPageView(views, links);
    }

    public async Task<SubscriptionView> GetAsync(CallContext ctx, QueueKind kind, string name, string subscriptionId, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        var now = Now();
        if (Guid.TryParse(subscriptionId, out var id) &&
            await guard.Run(() => store.GetAsync(ctx.Queue(name, kind), id, now, ct), "Subscription could not be retrieved.") is { } found)
        {
            return SubscriptionView.From(name, found, now);
        }
        throw NotFound(subscriptionId);
    }

    /// <summary>Updates from a JSON request body (empty: no document).</summary>
    public async Task UpdateJsonAsync(
        CallContext ctx, QueueKind kind, string name, string subscriptionId, Func<long, Task<ReadOnlyMemory<byte>>> readBody,
        CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        await UpdateAsync(ctx, kind, name, subscriptionId, SubscriptionRules.Read(await ReadDocumentAsync(readBody)), ct);
    }

    /// <summary>
    /// Changes the subscriber, ttl (restarting age and expiry) and/or options (replaced whole). A new subscriber
    /// must be confirmed again.
    /// </summary>
    public async Task UpdateAsync(
        CallContext ctx, QueueKind kind, string name, string subscriptionId, SubscriptionDraft draft, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        if (draft.DocumentEmpty)
        {
            throw ApiErrors.BadRequest("No subscription to create.");
        }
        if (draft.IsEmpty)
        {
            throw new ZaqarException(400, "Unable to update subscription", $"Subscription {subscriptionId} could not be updated.");
        }
        var type = draft.Subscriber is { } subscriber ? SubscriptionRules.Classify(subscriber, O, egress) : (SubscriberType?)null;
        var now = Now();
        if (draft.Ttl is { } ttl)
        {
            SubscriptionRules.ValidateTtl(ttl, now);
        }
        if (!Guid.TryParse(subscriptionId, out var id))
        {
            throw NotFound(subscriptionId);
        }
        var source = ctx.Queue(name, kind);
        var wrote = false;
        var changes = new SubscriptionChanges(draft.Subscriber, type, draft.Ttl, draft.Options?.ToJsonString());
        var outcome = await guard.Run(() => store.UpdateAsync(source, id, changes, now,
            (before, after) =>
            {
                if (before!.Type == SubscriberType.Hub && draft.Subscriber is not null)
                {
                    throw ApiErrors.BadRequest("The subscriber of a hub connection's subscription can not be changed.");
                }
                var document = before.Subscriber != after.Subscriber && NeedsConfirmation(after.Type)
                    ? confirmations.Build(source, id, unsubscribed: false, now.AddSeconds(after.Ttl))
                    : null;
                wrote = document is not null;
                return document;
            }, ct), "Subscription could not be updated.");
        switch (outcome)
        {
            case SubscriptionUpdateOutcome.NotFound:
                throw NotFound(subscriptionId);
            case SubscriptionUpdateOutcome.Conflict:
                throw ApiErrors.Conflict(Duplicate);
        }
        if (wrote)
        {
            events.RaiseOutboxWritten();
        }
    }

    /// <summary>Deletes a subscription and its pending notifications; a missing one is no error.</summary>
    public async Task DeleteAsync(CallContext ctx, QueueKind kind, string name, string subscriptionId, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        if (Guid.TryParse(subscriptionId, out var id) &&
            await guard.Run(() => store.DeleteAsync(ctx.Queue(name, kind), id, ct), "Subscription could not be deleted."))
        {
            events.RaiseEnded([id]);
        }
    }

    /// <summary>Confirms from a JSON request body <c>{"confirmed": bool}</c>.</summary>
    public async Task ConfirmJsonAsync(
        CallContext ctx, QueueKind kind, string name, string subscriptionId, Func<long, Task<ReadOnlyMemory<byte>>> readBody,
        CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        var document = await ReadDocumentAsync(readBody);
        bool? confirmed = document is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("confirmed", out var value) &&
            value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
        await ConfirmAsync(ctx, kind, name, subscriptionId, confirmed, ct);
    }

    /// <summary>
    /// Confirms (true) or unconfirms (false) a subscription. Unconfirming sends the subscriber a request to confirm
    /// again when confirmation is required, and drops the message notifications still pending for it.
    /// </summary>
    public async Task ConfirmAsync(
        CallContext ctx, QueueKind kind, string name, string subscriptionId, bool? confirmed, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        if (confirmed is not { } value)
        {
            throw ApiErrors.BadRequest("The 'confirmed' should be boolean.");
        }
        if (!Guid.TryParse(subscriptionId, out var id))
        {
            throw NotFound(subscriptionId);
        }
        var source = ctx.Queue(name, kind);
        var now = Now();
        var wrote = false;
        var found = await guard.Run(() => store.ConfirmAsync(source, id, value, dropPending: N.RequireConfirmation, now, (_, after) =>
        {
            var document = !value && NeedsConfirmation(after.Type)
                ? confirmations.Build(source, id, unsubscribed: true, now.AddSeconds(O.DefaultSubscriptionTtl))
                : null;
            wrote = document is not null;
            return document;
        }, ct), "Subscription could not be confirmed.");
        if (!found)
        {
            throw NotFound(subscriptionId);
        }
        if (wrote)
        {
            events.RaiseOutboxWritten();
        }
    }

    /// <summary>Deletes every subscription of the source (purge with resource type "subscriptions").</summary>
    public async Task PurgeAsync(CallContext ctx, QueueKind kind, string name, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(name, ctx.ProjectId);
        events.RaiseEnded(await guard.Run(() => store.PurgeAsync(ctx.Queue(name, kind), ct), "Queue could not be purged."));
    }

    private async Task<(SubscriptionCreatedView View, Guid Id)> CreateCoreAsync(
        QueueRef source, string subscriber, SubscriberType type, int? ttlOrDefault, JsonObject? subscriptionOptions, CancellationToken ct)
    {
        var now = Now();
        var ttl = ttlOrDefault ?? O.DefaultSubscriptionTtl;
        SubscriptionRules.ValidateTtl(ttl, now);
        var hub = type == SubscriberType.Hub;
        var draft = new NewSubscription(
            SubscriptionIds.New(time.GetUtcNow()), subscriber, type, ttl, (subscriptionOptions ?? []).ToJsonString(), Confirmed: hub);
        var wrote = false;
        var outcome = await guard.Run(() => store.CreateAsync(source, draft, now, (before, after) =>
        {
            // New, or still unconfirmed: (re-)send the confirmation request.
            var document = before is not { Confirmed: true } && NeedsConfirmation(after.Type)
                ? confirmations.Build(source, after.Id, unsubscribed: false, now.AddSeconds(ttl))
                : null;
            wrote = document is not null;
            return document;
        }, ct), "Subscription could not be created.");
        if (!outcome.Created && outcome.Subscription.Confirmed)
        {
            throw new ZaqarException(409, "Resource conflict", Duplicate)
            {
                Headers = new Dictionary<string, string> { ["Location"] = SubscriptionPaths.Collection(source.Kind, source.Name) },
            };
        }
        if (wrote)
        {
            events.RaiseOutboxWritten();
        }
        return (new SubscriptionCreatedView(outcome.Subscription.Id.ToString("D")), outcome.Subscription.Id);
    }

    private bool NeedsConfirmation(SubscriberType type) => N.RequireConfirmation && type != SubscriberType.Hub;

    /// <summary>A subscription document of a request: null when the body is empty; 400 when too large or not JSON.</summary>
    private async Task<JsonElement?> ReadDocumentAsync(Func<long, Task<ReadOnlyMemory<byte>>> readBody)
    {
        var limit = O.MaxQueueMetadata;
        var body = await readBody(limit);
        if (body.Length > limit)
        {
            throw ApiErrors.BadRequest($"Subscription document is too large. Max size: {limit}");
        }
        if (body.Length == 0)
        {
            return null;
        }
        using var document = JsonInput.Parse(body);
        return document.RootElement.Clone();
    }

    private static ZaqarException NotFound(string subscriptionId) => ApiErrors.NotFound($"Subscription {subscriptionId} does not exist");

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
