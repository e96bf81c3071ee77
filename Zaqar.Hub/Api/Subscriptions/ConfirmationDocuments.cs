using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Api;

/// <summary>
/// The confirmation requests sent to subscribers when <see cref="NotificationOptions.RequireConfirmation"/> is on
/// (zaqar-v2-api.md section 5.2): a pre-signed grant to PUT the subscription's confirm path, with the bodies to send.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class ConfirmationDocuments(SignedUrls signer, IOptions<NotificationOptions> options)
{
    public const string SubscriptionConfirmation = "SubscriptionConfirmation";
    public const string UnsubscribeConfirmation = "UnsubscribeConfirmation";

    /// <summary>
    /// The JSON document asking the subscriber to confirm (or, after an unsubscribe, to confirm again) until
    /// <paramref name="expires"/>.
    /// </summary>
    public string Build(QueueRef source, Guid subscriptionId, bool unsubscribed, DateTime expires)
    {
        var path = SubscriptionPaths.Confirm(source.Kind, source.Name, subscriptionId);
        var grant = signer.Create([path], ["PUT"], source.Project, expires);
        var noun = SubscriptionPaths.Noun(source.Kind);
        var document = new JsonObject();
        if (options.Value.PublicBaseUrl is { Length: > 0 } baseUrl)
        {
            document["WSGISubscribeURL"] = baseUrl.TrimEnd('/') + path;
        }
        document["Message_Type"] = unsubscribed ? UnsubscribeConfirmation : SubscriptionConfirmation;
        document["Message"] = unsubscribed
            ? $"You have unsubscribed successfully to the {noun}: {source.Name}, you can resubscribe it by using confirmed=True."
            : $"You have chosen to subscribe to the {noun}: {source.Name}";
        document["URL-Signature"] = grant.Signature;
        document["URL-Methods"] = grant.Methods[0];
        document["URL-Paths"] = grant.Paths[0];
        document["X-Project-ID"] = grant.Project;
        document["URL-Expires"] = grant.Expires;
        document["SubscribeBody"] = new JsonObject { ["confirmed"] = true };
        document["UnsubscribeBody"] = new JsonObject { ["confirmed"] = false };
        // Zaqar's notifier adds the source to every document it sends, confirmations included.
        document["queue_name"] = source.Name;
        return document.ToJsonString();
    }
}

/// <summary>
/// In-process signals of the subscriptions API: subscriptions that ended (hub connections stop their push at once)
/// and outbox rows written outside a post (the dispatcher looks at once).
/// </summary>
/// <remarks>Singleton; thread-safe. Handlers run on the caller's thread and must only hand work off.</remarks>
public sealed class SubscriptionEvents
{
    public event Action<IReadOnlyList<Guid>>? Ended;

    public event Action? OutboxWritten;

    internal void RaiseEnded(IReadOnlyList<Guid> ids)
    {
        if (ids.Count > 0)
        {
            Ended?.Invoke(ids);
        }
    }

    internal void RaiseOutboxWritten() => OutboxWritten?.Invoke();
}
