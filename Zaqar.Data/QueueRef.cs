namespace Zaqar.Data;

/// <summary>What kind of resource a queue row is: a queue (claims, DLQ) or a topic (pub/sub, no claims; Zaqar v2.1).</summary>
public enum QueueKind : short
{
    Queue = 0,
    Topic = 1,
}

/// <summary>
/// Names one queue or topic of one project: every store operation is scoped by it, so a caller can only ever
/// reach its own project's rows. A queue and a topic may share a name.
/// </summary>
public readonly record struct QueueRef(string Project, string Name, QueueKind Kind = QueueKind.Queue);
