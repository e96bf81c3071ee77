using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>The paths of subscription resources, under /v2/queues or /v2/topics by the source's kind.</summary>
public static class SubscriptionPaths
{
    public static string Collection(QueueKind kind, string name) => $"/v2/{Resource(kind)}/{name}/subscriptions";

    public static string Item(QueueKind kind, string name, Guid id) => $"{Collection(kind, name)}/{id:D}";

    public static string Confirm(QueueKind kind, string name, Guid id) => $"{Item(kind, name, id)}/confirm";

    /// <summary>"queues" or "topics".</summary>
    public static string Resource(QueueKind kind) => kind == QueueKind.Topic ? "topics" : "queues";

    /// <summary>"queue" or "topic", for texts.</summary>
    public static string Noun(QueueKind kind) => kind == QueueKind.Topic ? "topic" : "queue";
}
