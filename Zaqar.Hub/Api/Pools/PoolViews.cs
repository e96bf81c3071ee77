using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Api;

// The shapes of the pool and flavor routes (zaqar-v2-api.md section 9); both transports serialize these.

/// <summary>A pool as read, listed or patched; <see cref="Options"/> only when detailed.</summary>
public sealed record PoolView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("weight")] long Weight,
    [property: JsonPropertyName("flavor")] string? Flavor)
{
    [JsonPropertyName("options")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Options { get; init; }
}

public sealed record PoolPageView(
    [property: JsonPropertyName("pools")] IReadOnlyList<PoolView> Pools,
    [property: JsonPropertyName("links")] IReadOnlyList<LinkView> Links);

/// <summary>
/// A flavor. Read or patched it has every field; listed, <see cref="PoolList"/> only when it has pools and
/// <see cref="Capabilities"/> only when detailed, as Zaqar lists them.
/// </summary>
public sealed record FlavorView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("href")] string Href)
{
    [JsonPropertyName("pool_list")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? PoolList { get; init; }

    [JsonPropertyName("capabilities")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Capabilities { get; init; }
}

public sealed record FlavorPageView(
    [property: JsonPropertyName("flavors")] IReadOnlyList<FlavorView> Flavors,
    [property: JsonPropertyName("links")] IReadOnlyList<LinkView> Links);

/// <summary>The parameters of a pool or flavor listing.</summary>
public sealed record ListPoolsRequest(string? Marker = null, int? Limit = null, bool? Detailed = null);
