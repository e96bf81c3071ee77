using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>
/// The reserved (underscore) keys of queue metadata: their validation, the defaults a read fills in, and the
/// settings they give posts and claims (zaqar-v2-api.md section 2.1).
/// </summary>
/// <remarks>
/// Zaqar tests these keys with Python truthiness: a falsy value (null, false, 0, "", [] or {}) counts as unset.
/// We keep that, so metadata Zaqar accepts is accepted here and means the same.
/// </remarks>
public static class QueueMetadata
{
    public const string DefaultMessageTtl = "_default_message_ttl";
    public const string MaxMessagesPostSize = "_max_messages_post_size";
    public const string DefaultMessageDelay = "_default_message_delay";
    public const string MaxClaimCount = "_max_claim_count";
    public const string DeadLetterQueue = "_dead_letter_queue";
    public const string DeadLetterQueueMessagesTtl = "_dead_letter_queue_messages_ttl";
    public const string EnableEncryptMessages = "_enable_encrypt_messages";
    public const string RetryPolicy = "_retry_policy";
    public const string FlavorKey = "_flavor";

    /// <summary>
    /// The reserved keys a read fills in when absent or falsy, with their default values, in Zaqar's order. A topic
    /// has only the posting keys: Zaqar's topic resource fills in just those, since the dead-letter keys need claims.
    /// </summary>
    public static IEnumerable<(string Key, JsonNode? Value)> ReservedDefaults(ZaqarOptions o, QueueKind kind = QueueKind.Queue)
    {
        yield return (MaxMessagesPostSize, JsonValue.Create(o.MaxMessagesPostSize));
        yield return (DefaultMessageTtl, JsonValue.Create(o.DefaultMessageTtl));
        yield return (DefaultMessageDelay, JsonValue.Create(o.DefaultMessageDelay));
        if (kind == QueueKind.Topic)
        {
            yield break;
        }
        yield return (DeadLetterQueue, null);
        yield return (DeadLetterQueueMessagesTtl, null);
        yield return (MaxClaimCount, null);
        yield return (EnableEncryptMessages, JsonValue.Create(false));
    }

    public static bool IsReserved(string key, ZaqarOptions o, QueueKind kind = QueueKind.Queue) =>
        ReservedDefaults(o, kind).Any(r => r.Key == key);

    /// <summary>
    /// The flavor a new queue asks for (issue #6): the <c>_flavor</c> string, or null when absent or null. Like Zaqar,
    /// any other value is looked up as a name too (and so names no flavor).
    /// </summary>
    public static string? Flavor(JsonObject metadata) => metadata[FlavorKey] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var name) => name,
        var other => other.ToJsonString(),
    };

    /// <summary>A stored metadata (or options) document; tolerant of documents stored before issue 10's depth limit.</summary>
    public static JsonObject Parse(string stored) =>
        JsonNode.Parse(stored, documentOptions: new JsonDocumentOptions { MaxDepth = JsonInput.StoredMaxDepth })?.AsObject() ?? [];

    /// <summary>A copy of the metadata with the reserved defaults filled in, as GET and PATCH return it.</summary>
    public static JsonObject WithReservedDefaults(JsonObject metadata, ZaqarOptions o, QueueKind kind = QueueKind.Queue)
    {
        var filled = (JsonObject)metadata.DeepClone();
        foreach (var (key, value) in ReservedDefaults(o, kind))
        {
            if (IsFalsy(filled[key]))
            {
                filled[key] = value?.DeepClone();
            }
        }
        return filled;
    }

    /// <summary>Checks the reserved keys' types and ranges; 400 with Zaqar's message on the first bad one.</summary>
    public static void Validate(JsonObject metadata, ZaqarOptions o, Func<string, ZaqarException> fail)
    {
        if (Int(metadata, DefaultMessageTtl, fail) is { } ttl && (ttl < MessageRules.MinTtl || ttl > o.MaxMessageTtl))
        {
            throw fail($"_default_message_ttl can not exceed {o.MaxMessageTtl} seconds, and must be at least {MessageRules.MinTtl} seconds long.");
        }
        if (Int(metadata, MaxMessagesPostSize, fail) is { } size && (size <= 0 || size > o.MaxMessagesPostSize))
        {
            throw fail($"_max_messages_post_size can not exceed {o.MaxMessagesPostSize},  and must be at least greater than 0.");
        }
        if (Int(metadata, DefaultMessageDelay, fail) is { } delay && (delay < 0 || delay > o.MaxMessageDelay))
        {
            throw fail($"_default_message_delay can not exceed {o.MaxMessageDelay} seconds, and must be at least 0 seconds long.");
        }
        if (Int(metadata, MaxClaimCount, fail) is { } maxClaims && maxClaims < 0)
        {
            throw fail("_max_claim_count must be at least 0.");
        }
        if (Int(metadata, DeadLetterQueueMessagesTtl, fail) is { } dlqTtl && (dlqTtl < MessageRules.MinTtl || dlqTtl > o.MaxMessageTtl))
        {
            throw fail($"The TTL for a message may not exceed {o.MaxMessageTtl} seconds, and must be at least {MessageRules.MinTtl} seconds long.");
        }
        var dlq = metadata[DeadLetterQueue];
        if (!IsFalsy(dlq) && !(dlq is JsonValue v && v.TryGetValue<string>(out var dlqName) && IdentityRules.IsValidQueueName(dlqName)))
        {
            throw fail("_dead_letter_queue must be the name of a queue.");
        }
        var encrypt = metadata[EnableEncryptMessages];
        if (!IsFalsy(encrypt) && encrypt!.GetValueKind() != JsonValueKind.True)
        {
            throw fail("_enable_encrypt_messages must be boolean.");
        }
        RetryPolicyRules.Validate(metadata[RetryPolicy], fail);
    }

    /// <summary>
    /// What the reserved keys of (validated) metadata mean, as the typed values storage keeps in columns beside it
    /// (issue 12 item 5): storage reads those, never the keys. Falsy means unset; a count past int32 (any int64 is
    /// accepted) is clamped, meaning "never" (found by the REST fuzzer, issue 10). The migration that added the columns
    /// backfills them with the same rules in SQL (AddQueueSettingsColumns).
    /// </summary>
    public static QueueSettings Settings(JsonObject metadata)
    {
        int? Get(string key) => metadata[key] is JsonValue v && v.TryGetValue<int>(out var i) && i != 0 ? i : null;
        int? Count(string key) =>
            metadata[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number &&
            decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) &&
            Math.Clamp(Math.Round(d, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue) is var clamped && clamped != 0
                ? (int)clamped
                : null;
        var encrypt = metadata[EnableEncryptMessages] is JsonValue e && e.GetValueKind() == JsonValueKind.True;
        var deadLetterQueue = metadata[DeadLetterQueue] is JsonValue q && q.TryGetValue<string>(out var name) && name.Length > 0 ? name : null;
        var retryPolicy = metadata[RetryPolicy] is JsonObject policy ? policy.ToJsonString() : null;
        return new QueueSettings(
            Get(DefaultMessageTtl), Get(MaxMessagesPostSize), Get(DefaultMessageDelay), encrypt,
            new DeadLetterRule(Count(MaxClaimCount), deadLetterQueue, Count(DeadLetterQueueMessagesTtl)),
            retryPolicy);
    }

    /// <summary>Python truthiness of a JSON value.</summary>
    public static bool IsFalsy(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.False or JsonValueKind.Null => true,
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.Number => v.TryGetValue<double>(out var d) && d == 0,
            _ => false,
        },
        _ => false,
    };

    private static long? Int(JsonObject metadata, string key, Func<string, ZaqarException> fail)
    {
        var node = metadata[key];
        if (IsFalsy(node))
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonInput.IsIntegerText(v.ToJsonString(), out var value))
        {
            return value;
        }
        throw fail($"{key} must be integer.");
    }
}
