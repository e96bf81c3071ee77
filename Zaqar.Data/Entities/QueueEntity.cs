namespace Zaqar.Data.Entities;

/// <summary>A queue (or, later, a topic) of one project. Created lazily by the first post or subscription.</summary>
public sealed class QueueEntity
{
    public long Id { get; set; }

    public required string Project { get; set; }

    /// <summary>Queue or topic: the two live in separate name spaces of a project.</summary>
    public QueueKind Kind { get; set; }

    public required string Name { get; set; }

    /// <summary>The queue's metadata as a JSON object (jsonb).</summary>
    public required string Metadata { get; set; }

    /// <summary>
    /// The per-queue message counter. A post bumps it in the same statement that inserts the messages, so the
    /// row lock orders posts by commit: a reader following <c>marker</c> can never miss a message that commits
    /// later with a lower <see cref="MessageEntity.Seq"/> (issue #2).
    /// </summary>
    public long LastSeq { get; set; }

    /// <summary>
    /// Changes whenever the metadata is set (0 while a queue has never had any): a post validated against cached
    /// settings inserts only if this still matches, so a cache never makes a post use stale rules.
    /// </summary>
    public long MetadataVersion { get; set; }

    public DateTime CreatedAt { get; set; }

    // The reserved metadata keys' meaning as typed columns (see QueueSettings; issue 12 item 5): written with the
    // metadata in one statement, read by the post, claim, listing and outbox statements instead of the JSON keys.

    public int? DefaultMessageTtl { get; set; }

    public int? DefaultMessageDelay { get; set; }

    public int? MaxMessagesPostSize { get; set; }

    public int? MaxClaimCount { get; set; }

    public string? DeadLetterQueue { get; set; }

    public int? DeadLetterQueueMessagesTtl { get; set; }

    public bool EncryptMessages { get; set; }

    /// <summary>The webhook retry policy (a JSON object, jsonb), or null.</summary>
    public string? RetryPolicy { get; set; }
}
