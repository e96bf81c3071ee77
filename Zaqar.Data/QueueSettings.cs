namespace Zaqar.Data;

/// <summary>
/// What a queue's reserved metadata means, as typed values: the API layer derives them from the metadata (it owns
/// Zaqar's rules: truthiness, clamping) and storage writes them into columns beside the metadata, in the same statement
/// (issue 12 item 5). Storage reads these columns, never the metadata's keys. Null: unset (the service default applies).
/// </summary>
/// <param name="DefaultMessageTtl">Seconds a message posted without a ttl lives.</param>
/// <param name="MaxMessagesPostSize">Bytes a post may carry at most.</param>
/// <param name="DefaultMessageDelay">Seconds a message posted without a delay stays hidden; set (never 0) makes a delayed queue.</param>
/// <param name="EncryptMessages">Message bodies are encrypted at rest.</param>
/// <param name="DeadLetter">Where messages claimed too often go, when the queue has such a rule.</param>
/// <param name="RetryPolicy">The webhook retry policy (a JSON object's text) subscriptions of the queue follow.</param>
/// <param name="Version">The metadata version these settings were read at (0: a queue without metadata); set by storage on reads.</param>
public sealed record QueueSettings(
    int? DefaultMessageTtl,
    int? MaxMessagesPostSize,
    int? DefaultMessageDelay,
    bool EncryptMessages,
    DeadLetterRule DeadLetter,
    string? RetryPolicy = null,
    long Version = 0)
{
    public static readonly QueueSettings None = new(null, null, null, false, DeadLetterRule.None);
}

/// <summary>
/// A queue's dead-letter rule: a message claimed <see cref="MaxClaimCount"/> times moves to <see cref="Queue"/> (living
/// <see cref="MessagesTtl"/> seconds there, or its own ttl) at its next claim. Applies only when both are set.
/// </summary>
public sealed record DeadLetterRule(int? MaxClaimCount, string? Queue, int? MessagesTtl)
{
    public static readonly DeadLetterRule None = new(null, null, null);
}
