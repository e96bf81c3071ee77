using System.Collections.Frozen;
using System.Text.Json;

namespace Zaqar.Hub.Sockets;

/// <summary>The JSON types the request schema names.</summary>
public enum SchemaType
{
    String,
    Integer,
    Boolean,
    Array,
    Object,
}

/// <summary>
/// What a frame of one action must look like: which identity headers it needs, whether it needs a body, the body's
/// required keys and the types of the keys it may have.
/// </summary>
public sealed record ActionSchema(string[] Headers, bool BodyRequired, string[] Required, IReadOnlyDictionary<string, SchemaType> Types);

/// <summary>
/// Zaqar's request schema for the websocket transport (zaqar/api/v1_1 and v2 request.py, zaqar-v2-api.md 10.1 and 10.2):
/// a frame that breaks it is answered 400 <c>{"error": "Schema validation failed."}</c> before anything runs. Values
/// (ranges, names, sizes) are the common API layer's to check, as for REST. Unlike Zaqar's schema,
/// <c>message_delete_many</c> accepts <c>pop</c> without <c>message_ids</c> (the contract's table, and what REST allows).
/// </summary>
public static class SocketSchema
{
    public const string Failed = "Schema validation failed.";

    /// <summary>The headers Zaqar's schema knows; each must be a string when present (others are allowed).</summary>
    private static readonly string[] KnownHeaders = ["User-Agent", "Date", "Accept", "Client-ID", "X-Project-ID", "X-Auth-Token"];

    private static readonly string[] Identity = ["Client-ID", "X-Project-ID"];

    private static readonly string[] NoHeaders = [];

    public static readonly FrozenDictionary<string, ActionSchema> Actions = new Dictionary<string, ActionSchema>
    {
        ["queue_list"] = Optional(("marker", SchemaType.String), ("limit", SchemaType.Integer), ("detailed", SchemaType.Boolean)),
        ["queue_create"] = Queue(("metadata", SchemaType.Object)),
        ["queue_get"] = Queue(),
        ["queue_delete"] = Queue(),
        ["queue_get_stats"] = Queue(),
        ["queue_purge"] = Queue(("resource_types", SchemaType.Array)),
        ["message_list"] = Queue(
            ("marker", SchemaType.String), ("limit", SchemaType.Integer), ("echo", SchemaType.Boolean),
            ("include_claimed", SchemaType.Boolean), ("include_delayed", SchemaType.Boolean)),
        ["message_get"] = Queue(["message_id"], ("message_id", SchemaType.String)),
        ["message_get_many"] = Queue(["message_ids"], ("message_ids", SchemaType.Array)),
        ["message_post"] = Queue(["messages"], ("messages", SchemaType.Array)),
        ["message_delete"] = Queue(["message_id"], ("message_id", SchemaType.String), ("claim_id", SchemaType.String)),
        ["message_delete_many"] = Queue(("message_ids", SchemaType.Array), ("claim_ids", SchemaType.Array), ("pop", SchemaType.Integer)),
        ["claim_create"] = Queue(("limit", SchemaType.Integer), ("ttl", SchemaType.Integer), ("grace", SchemaType.Integer)),
        ["claim_get"] = Queue(["claim_id"], ("claim_id", SchemaType.String)),
        ["claim_update"] = Queue(["claim_id"], ("claim_id", SchemaType.String), ("ttl", SchemaType.Integer), ("grace", SchemaType.Integer)),
        ["claim_delete"] = Queue(["claim_id"], ("claim_id", SchemaType.String)),
        ["subscription_create"] = Queue(("subscriber", SchemaType.String), ("ttl", SchemaType.Integer), ("options", SchemaType.Object)),
        ["subscription_list"] = Queue(("marker", SchemaType.String), ("limit", SchemaType.Integer)),
        ["subscription_get"] = Queue(["subscription_id"], ("subscription_id", SchemaType.String)),
        ["subscription_delete"] = Queue(["subscription_id"], ("subscription_id", SchemaType.String)),
        ["authenticate"] = new(["X-Project-ID", "X-Auth-Token"], BodyRequired: false, [], Types()),
        // Declared by Zaqar's schema but never implemented by its v2 handler (no answer at all); served here.
        ["get_home_doc"] = new(NoHeaders, BodyRequired: false, [], Types()),
        ["ping_node"] = new(NoHeaders, BodyRequired: false, [], Types()),
        ["check_node_health"] = new(Identity, BodyRequired: false, [], Types()),
        ["pool_list"] = Optional(("marker", SchemaType.String), ("limit", SchemaType.Integer), ("detailed", SchemaType.Boolean)),
        ["pool_create"] = Pool(("uri", SchemaType.String), ("weight", SchemaType.Integer), ("flavor", SchemaType.String), ("options", SchemaType.Object)),
        ["pool_get"] = Pool(("detailed", SchemaType.Boolean)),
        ["pool_get_detail"] = Pool(),
        ["pool_update"] = Pool(("uri", SchemaType.String), ("weight", SchemaType.Integer), ("flavor", SchemaType.String), ("options", SchemaType.Object)),
        ["pool_delete"] = Pool(),
        ["flavor_list"] = Optional(("marker", SchemaType.String), ("limit", SchemaType.Integer), ("detailed", SchemaType.Boolean)),
        ["flavor_create"] = Flavor(("pool_list", SchemaType.Array), ("capabilities", SchemaType.Object)),
        ["flavor_get"] = Flavor(("detailed", SchemaType.Boolean)),
        ["flavor_update"] = Flavor(("pool_list", SchemaType.Array), ("capabilities", SchemaType.Object)),
        ["flavor_delete"] = Flavor(),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>True when the frame (an object) matches the action's schema.</summary>
    public static bool Matches(ActionSchema schema, SocketFrame frame)
    {
        if (frame.Member("headers") is not { ValueKind: JsonValueKind.Object } headers)
        {
            return false;
        }
        foreach (var name in KnownHeaders)
        {
            if (headers.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }
        if (schema.Headers.Any(name => !headers.TryGetProperty(name, out _)))
        {
            return false;
        }
        var body = frame.Member("body");
        if (body.ValueKind == JsonValueKind.Undefined)
        {
            return !schema.BodyRequired;
        }
        if (body.ValueKind != JsonValueKind.Object || schema.Required.Any(key => !body.TryGetProperty(key, out _)))
        {
            return false;
        }
        foreach (var (key, type) in schema.Types)
        {
            if (body.TryGetProperty(key, out var value) && !Is(value, type))
            {
                return false;
            }
        }
        return true;
    }

    private static bool Is(JsonElement value, SchemaType type) => type switch
    {
        SchemaType.String => value.ValueKind == JsonValueKind.String,
        // JSON Schema draft 4 (Zaqar's validator): an integer is a number without fraction or exponent, of any size.
        SchemaType.Integer => value.ValueKind == JsonValueKind.Number && value.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0,
        SchemaType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        SchemaType.Array => value.ValueKind == JsonValueKind.Array,
        _ => value.ValueKind == JsonValueKind.Object,
    };

    private static ActionSchema Optional(params (string, SchemaType)[] types) => new(Identity, BodyRequired: false, [], Types(types));

    private static ActionSchema Queue(params (string, SchemaType)[] types) => Queue([], types);

    private static ActionSchema Queue(string[] required, params (string, SchemaType)[] types) =>
        new(Identity, BodyRequired: true, ["queue_name", .. required], Types([("queue_name", SchemaType.String), .. types]));

    private static ActionSchema Pool(params (string, SchemaType)[] types) =>
        new(Identity, BodyRequired: true, ["pool_name"], Types([("pool_name", SchemaType.String), .. types]));

    private static ActionSchema Flavor(params (string, SchemaType)[] types) =>
        new(Identity, BodyRequired: true, ["flavor_name"], Types([("flavor_name", SchemaType.String), .. types]));

    private static FrozenDictionary<string, SchemaType> Types(params (string Key, SchemaType Type)[] types) =>
        types.ToFrozenDictionary(t => t.Key, t => t.Type, StringComparer.Ordinal);
}
