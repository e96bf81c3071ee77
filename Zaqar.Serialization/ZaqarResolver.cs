using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;
using MessagePack.Formatters;

namespace Zaqar.Serialization;

/// <summary>
/// Formatters for what Zaqar's hub carries: System.Text.Json values as native MessagePack, and classes that declare
/// JSON member names with those names (<see cref="JsonContract{T}"/>). Every other type is left to the resolvers after
/// it (SignalR's defaults in <see cref="ZaqarMessagePack.Resolver"/>).
/// </summary>
/// <remarks>Stateless; formatters are cached per type. Thread-safe.</remarks>
public sealed class ZaqarResolver : IFormatterResolver
{
    /// <summary>The one instance.</summary>
    public static readonly ZaqarResolver Instance = new();

    private ZaqarResolver()
    {
    }

    /// <inheritdoc />
    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create(typeof(T));
    }

    private static object? Create(Type type)
    {
        if (type == typeof(JsonElement))
        {
            return JsonElementFormatter.Instance;
        }
        if (type == typeof(JsonElement?))
        {
            return NullableJsonElementFormatter.Instance;
        }
        if (type == typeof(JsonDocument))
        {
            return JsonDocumentFormatter.Instance;
        }
        if (type.IsAssignableTo(typeof(JsonNode)))
        {
            return typeof(JsonNodeFormatter<>).MakeGenericType(type).GetField("Instance")!.GetValue(null);
        }
        return JsonContract<object>.Applies(type)
            ? typeof(JsonContractFormatter<>).MakeGenericType(type).GetField("Instance")!.GetValue(null)
            : null;
    }
}
