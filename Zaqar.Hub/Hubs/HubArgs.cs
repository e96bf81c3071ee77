using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Hubs;

// Argument objects of hub methods. Member names are REST's (snake_case) on the wire; readers bind them
// liberally (snake_case, camelCase or PascalCase: see LiberalArgsConverter), because browsers send the keys
// their objects have and .NET clients send C# member names.

/// <summary>Options of ListQueues.</summary>
public sealed record ListQueuesArgs(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("detailed")] bool? Detailed = null,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("with_count")] bool? WithCount = null);

/// <summary>One message to post: any JSON body, optional ttl and delay (seconds).</summary>
public sealed record MessageArgs(
    [property: JsonPropertyName("body")] JsonElement Body = default,
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("delay")] int? Delay = null);

/// <summary>Options of ListMessages.</summary>
public sealed record ListMessagesArgs(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("echo")] bool? Echo = null,
    [property: JsonPropertyName("include_claimed")] bool? IncludeClaimed = null,
    [property: JsonPropertyName("include_delayed")] bool? IncludeDelayed = null);

/// <summary>Options of CreateClaim and UpdateClaim (limit is ignored by UpdateClaim).</summary>
public sealed record ClaimArgs(
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("grace")] int? Grace = null,
    [property: JsonPropertyName("limit")] int? Limit = null);

/// <summary>Options of the Consume stream: each claim's ttl and grace, and how many messages a claim takes.</summary>
public sealed record ConsumeArgs(
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("grace")] int? Grace = null,
    [property: JsonPropertyName("batch")] int? Batch = null);

/// <summary>The answer of CreateQueue: false when the queue existed already (REST's 204).</summary>
public sealed record QueueCreatedView([property: JsonPropertyName("created")] bool Created);

/// <summary>Options of ListPools and ListFlavors.</summary>
public sealed record ListPoolsArgs(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("detailed")] bool? Detailed = null);

/// <summary>Options of StreamStats: the queues whose depth to follow (at most 20) and the seconds between samples (1 to 60).</summary>
public sealed record StatsArgs(
    [property: JsonPropertyName("queues")] string[]? Queues = null,
    [property: JsonPropertyName("interval")] int? Interval = null);
