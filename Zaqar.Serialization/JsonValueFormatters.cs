using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;
using MessagePack.Formatters;

namespace Zaqar.Serialization;

// System.Text.Json's value types as native MessagePack values (issue 11): a message body or a metadata document is any
// JSON value, and a browser sends and expects it as plain maps, arrays, strings, numbers, bools and nil. Without these,
// MessagePack-CSharp's contractless resolver writes the CLR shape of a JsonElement or JsonNode ({} or {"Options":null}).

/// <summary><see cref="JsonElement"/>: nil is a JSON null (an element of kind Null), as System.Text.Json binds it.</summary>
internal sealed class JsonElementFormatter : IMessagePackFormatter<JsonElement>
{
    public static readonly JsonElementFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, JsonElement value, MessagePackSerializerOptions options) =>
        JsonToMessagePack.Write(ref writer, value);

    public JsonElement Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        MessagePackToJson.Read(ref reader, options, static json =>
        {
            var text = new Utf8JsonReader(json.Span, MessagePackToJson.ReaderOptions);
            return JsonElement.ParseValue(ref text);
        });
}

/// <summary><see cref="Nullable{JsonElement}"/>: nil is null, as System.Text.Json binds a JSON null to it.</summary>
internal sealed class NullableJsonElementFormatter : IMessagePackFormatter<JsonElement?>
{
    public static readonly NullableJsonElementFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, JsonElement? value, MessagePackSerializerOptions options)
    {
        if (value is { } element)
        {
            JsonToMessagePack.Write(ref writer, element);
        }
        else
        {
            writer.WriteNil();
        }
    }

    public JsonElement? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : JsonElementFormatter.Instance.Deserialize(ref reader, options);
}

/// <summary><see cref="JsonDocument"/>: the caller owns (and disposes) what it reads.</summary>
internal sealed class JsonDocumentFormatter : IMessagePackFormatter<JsonDocument?>
{
    public static readonly JsonDocumentFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, JsonDocument? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            JsonToMessagePack.Write(ref writer, value.RootElement);
        }
    }

    public JsonDocument? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : MessagePackToJson.Read(ref reader, options, static json => JsonDocument.Parse(json.ToArray(), MessagePackToJson.DocumentOptions));
}

/// <summary>
/// <see cref="JsonNode"/> and its kinds (<see cref="JsonObject"/>, <see cref="JsonArray"/>, <see cref="JsonValue"/>): nil is
/// null; a value of another kind than the declared one is refused.
/// </summary>
internal sealed class JsonNodeFormatter<TNode> : IMessagePackFormatter<TNode?>
    where TNode : JsonNode
{
    public static readonly JsonNodeFormatter<TNode> Instance = new();

    public void Serialize(ref MessagePackWriter writer, TNode? value, MessagePackSerializerOptions options) =>
        JsonToMessagePack.Write(ref writer, value);

    public TNode? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var node = MessagePackToJson.Read(ref reader, options, static json => JsonNode.Parse(json.Span, documentOptions: MessagePackToJson.DocumentOptions));
        return node as TNode ?? throw new MessagePackSerializationException(
            $"Expected a JSON {typeof(TNode).Name[4..].ToLowerInvariant()}, got a JSON {node!.GetValueKind().ToString().ToLowerInvariant()}.");
    }
}
