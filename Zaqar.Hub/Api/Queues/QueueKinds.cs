using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>
/// Where a queue and a topic (Zaqar v2.1) differ when the API speaks about them: their collection in paths and
/// the noun Zaqar's texts use ("Topic could not be created."). Every rule they share (names, limits, message
/// posting and reading) is written once and takes the kind.
/// </summary>
public static class QueueKinds
{
    /// <summary>The collection segment of the v2 paths: "queues" or "topics".</summary>
    public static string Collection(this QueueKind kind) => kind == QueueKind.Topic ? "topics" : "queues";

    /// <summary>"Queue" or "Topic", as Zaqar's texts about the resource itself begin.</summary>
    public static string Noun(this QueueKind kind) => kind == QueueKind.Topic ? "Topic" : "Queue";

    /// <summary>"Queues" or "Topics".</summary>
    public static string PluralNoun(this QueueKind kind) => kind == QueueKind.Topic ? "Topics" : "Queues";
}
