using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

// DTOs shared by the binding and parity tests. Public so System.Text.Json's reflection contract can see them.

public sealed class ClaimRequest
{
    [JsonPropertyName("claim_id")]
    public long ClaimId { get; set; }

    public string? QueueName { get; set; }

    public int Ttl { get; set; } = 30;

    public List<string>? Tags { get; set; }
}

public sealed record Lease(string Queue, int Count, string? Note = null);

public record struct Point(int X, int Y);

public sealed class Order
{
    public required string Id { get; init; }

    public decimal Total { get; set; }

    public Lease? Lease { get; set; }
}

public sealed class Ignored
{
    public string Kept { get; set; } = "k";

    [JsonIgnore]
    public string Secret { get; set; } = "s";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OnlyWhenSet { get; set; }

    public string? Nullable { get; set; }
}

public enum Priority
{
    Low,
    High,
}

[Flags]
public enum Access
{
    None = 0,
    Read = 1,
    Write = 2,
}

public sealed class WithEnums
{
    public Priority Priority { get; set; }

    [JsonConverter(typeof(JsonStringEnumConverter))]
    public Priority Named { get; set; }
}

public sealed class Envelope
{
    public string? Kind { get; set; }

    public JsonElement Body { get; set; }
}

public sealed class Node
{
    public int Value { get; set; }

    public Node? Next { get; set; }
}
