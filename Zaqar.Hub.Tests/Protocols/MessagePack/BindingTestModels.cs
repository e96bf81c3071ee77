using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

// Classes with a JSON contract (they name members with [JsonPropertyName], as Zaqar's arguments and views do), which
// Zaqar's MessagePack formatters map by those names. Public so reflection sees them. The bench's fuzz run links this file.

public sealed class ClaimRequest
{
    [JsonPropertyName("claim_id")]
    public long ClaimId { get; set; }

    /// <summary>No JSON name: camelCase, SignalR's JSON default.</summary>
    public string? QueueName { get; set; }

    [JsonPropertyName("ttl")]
    public int Ttl { get; set; } = 30;

    [JsonPropertyName("tags")]
    public List<string>? Tags { get; set; }
}

public sealed record Lease(
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("note")] string? Note = null);

public sealed class Ignored
{
    [JsonPropertyName("kept")]
    public string Kept { get; set; } = "k";

    [JsonIgnore]
    public string Secret { get; set; } = "s";

    [JsonPropertyName("only_when_set"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OnlyWhenSet { get; set; }

    [JsonPropertyName("only_when_not_zero"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OnlyWhenNotZero { get; set; }

    [JsonPropertyName("nullable")]
    public string? Nullable { get; set; }
}

public sealed class Envelope
{
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("body")]
    public JsonElement Body { get; set; }
}

public sealed class Node
{
    [JsonPropertyName("value")]
    public int Value { get; set; }

    [JsonPropertyName("next")]
    public Node? Next { get; set; }
}
