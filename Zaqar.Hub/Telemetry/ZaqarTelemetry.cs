using System.Diagnostics;
using System.Diagnostics.Metrics;
using Zaqar.Data;

namespace Zaqar.Hub.Telemetry;

/// <summary>
/// The service's own spans and metrics (issue 15): one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <see cref="Name"/>. Recording costs nothing much when nobody listens: <see cref="StartOperation"/> returns null
/// (no Activity is made) without a listener, and an instrument without a listener records nothing.
/// </summary>
/// <remarks>
/// Static, so the hot paths (post, claim, push) reach it without a constructor argument; several hosts in one process
/// (the tests) share it, and each host's meter provider sees every host's measurements. Counters carry no queue or
/// project attribute, so their cardinality stays bounded whatever the tenants do; per-queue figures are the sampled
/// gauges of <see cref="QueueSampler"/>. Attribute names follow OpenTelemetry's messaging and SignalR conventions.
/// </remarks>
public static class ZaqarTelemetry
{
    public const string Name = "Zaqar.Hub";

    /// <summary>SignalR's own activity source: one Activity per hub method invocation (ASP.NET Core 9 and later).</summary>
    public const string SignalRServerSource = "Microsoft.AspNetCore.SignalR.Server";

    public const string MessagingSystem = "zaqar";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> MessagesPosted = Meter.CreateCounter<long>(
        "zaqar.messages.posted", "{message}", "Messages committed by posts, on every transport.");

    public static readonly Counter<long> MessagesClaimed = Meter.CreateCounter<long>(
        "zaqar.messages.claimed", "{message}", "Messages handed out by claims (consume streams' claims included).");

    public static readonly Counter<long> MessagesDeleted = Meter.CreateCounter<long>(
        "zaqar.messages.deleted", "{message}", "Messages deleted one by one, in bulk, or popped.");

    public static readonly Counter<long> MessagesExpired = Meter.CreateCounter<long>(
        "zaqar.messages.expired", "{message}", "Expired messages removed by this node's sweeper.");

    public static readonly Counter<long> MessagesDeadLettered = Meter.CreateCounter<long>(
        "zaqar.messages.dead_lettered", "{message}", "Messages moved to a dead-letter queue by a claim (max claim count reached).");

    public static readonly Histogram<double> PushLag = Meter.CreateHistogram(
        "zaqar.push.lag", "s", "From a push being ready on this node (a local post's commit, or another node's post read back) to its write to a subscriber.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    public static readonly Counter<long> PushBufferOverflows = Meter.CreateCounter<long>(
        "zaqar.push.buffer.overflows", "{connection}", "Hub connections closed because their push buffer overflowed.");

    public static readonly Counter<long> NotificationsDelivered = Meter.CreateCounter<long>(
        "zaqar.notifications.delivered", "{notification}", "Subscription notifications delivered (webhook or mailto).");

    public static readonly Counter<long> NotificationsFailed = Meter.CreateCounter<long>(
        "zaqar.notifications.failed", "{notification}", "Subscription notifications given up: refused, or out of retries.");

    public static readonly Counter<long> NotificationsRetried = Meter.CreateCounter<long>(
        "zaqar.notifications.retried", "{notification}", "Subscription notification attempts that failed and are scheduled again.");

    public static readonly UpDownCounter<long> HubConnections = Meter.CreateUpDownCounter<long>(
        "zaqar.hub.connections", "{connection}", "Open hub connections, by transport and protocol.");

    // Attribute names (OpenTelemetry semantic conventions where they exist).
    public const string DestinationAttribute = "messaging.destination.name";
    public const string OperationAttribute = "messaging.operation.name";
    public const string OperationTypeAttribute = "messaging.operation.type";
    public const string SystemAttribute = "messaging.system";
    public const string BatchCountAttribute = "messaging.batch.message_count";
    public const string ProjectAttribute = "zaqar.project";
    public const string TransportAttribute = "signalr.transport";
    public const string ProtocolAttribute = "zaqar.hub.protocol";
    public const string SubscriberTypeAttribute = "zaqar.subscriber.type";
    public const string DatabaseAttribute = "zaqar.database";

    /// <summary>
    /// The API layer's span of one operation on <paramref name="queue"/> (named by <paramref name="operation"/>, e.g.
    /// "messages.post"); null when no trace listener samples it. Its children are the PostgreSQL statements it runs.
    /// </summary>
    /// <param name="type">The convention's operation type: send, receive, settle, or null for a management operation.</param>
    public static Activity? StartOperation(string operation, QueueRef queue, string? type)
    {
        var activity = Source.StartActivity(operation);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SystemAttribute, MessagingSystem);
            activity.SetTag(OperationAttribute, operation);
            if (type is not null)
            {
                activity.SetTag(OperationTypeAttribute, type);
            }
            activity.SetTag(DestinationAttribute, queue.Name);
            activity.SetTag(ProjectAttribute, queue.Project);
        }
        return activity;
    }
}
