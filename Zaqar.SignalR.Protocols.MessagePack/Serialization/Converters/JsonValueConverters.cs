using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.SignalR.Protocols.MessagePack.Internal;
using Zaqar.SignalR.Protocols.MessagePack.Serialization.Json;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// <see cref="JsonElement"/>, <see cref="JsonDocument"/> and <see cref="JsonNode"/> (and its subclasses): arbitrary JSON
/// values mapped structurally, in both directions, through <see cref="JsonToMsgPack"/> and <see cref="MsgPackToJson"/>.
/// Key order and values survive a MessagePack → JSON → MessagePack trip unchanged.
/// </summary>
/// <remarks>
/// A JsonElement keeps JSON text, so reading builds that text once into a pooled buffer and parses it; writing reads an
/// element's own UTF-8 text in place, with no copy.
/// </remarks>
internal sealed class JsonValueConverter(Type type, JsonSerializerOptions options) : MsgPackConverter(type)
{
    private static readonly JsonReaderOptions _readerOptions = new() { MaxDepth = MessagePackHubProtocolOptions.MaxDepthLimit * 4 };

    /// <summary>nil is JSON null: a JsonElement of kind Null, as System.Text.Json binds it (JsonNode/JsonDocument get null).</summary>
    public override bool HandlesNil => Type == typeof(JsonElement);

    public override void Write(MsgPackWriter writer, object value)
    {
        switch (value)
        {
            case JsonElement { ValueKind: JsonValueKind.Undefined }:
                writer.WriteNil();
                break;
            case JsonElement element:
                JsonToMsgPack.Transcode(JsonMarshal.GetRawUtf8Value(element), writer);
                break;
            case JsonDocument document:
                JsonToMsgPack.Transcode(JsonMarshal.GetRawUtf8Value(document.RootElement), writer);
                break;
            case JsonNode node:
                using (var scratch = JsonScratch.Rent(options))
                {
                    node.WriteTo(scratch.Writer, options);
                    JsonToMsgPack.Transcode(scratch.Written, writer);
                }

                break;
            default:
                throw new InvalidOperationException($"{value.GetType()} is not a JSON value type.");
        }
    }

    public override object? Read(ref MsgPackReader reader)
    {
        using var scratch = JsonScratch.Rent(options);
        MsgPackToJson.Transcode(ref reader, scratch.Writer);
        var json = new Utf8JsonReader(scratch.Written, _readerOptions);
        json.Read();

        if (Type == typeof(JsonElement))
        {
            return JsonElement.ParseValue(ref json);
        }

        if (Type == typeof(JsonDocument))
        {
            return JsonDocument.ParseValue(ref json);
        }

        var node = JsonNode.Parse(ref json, new JsonNodeOptions { PropertyNameCaseInsensitive = options.PropertyNameCaseInsensitive });
        return node is null || Type.IsInstanceOfType(node)
            ? node
            : throw new BindingException($"Cannot bind a JSON {node.GetValueKind()} to {Type.Name}.");
    }
}

/// <summary>
/// Any type System.Text.Json handles with a converter of its own (a <c>[JsonConverter]</c>, an entry in
/// <c>Converters</c>, DateOnly, Uri, ...) or with features our member mapping does not model (polymorphism, extension
/// data): the value goes through that converter as JSON, so it matches the JSON protocol exactly. Slower than the
/// native mappings, and it is what keeps custom converters working.
/// </summary>
internal sealed class JsonBridgeConverter(Type type, JsonSerializerOptions options) : MsgPackConverter(type)
{
    private readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo _typeInfo = options.GetTypeInfo(type);

    public override void Write(MsgPackWriter writer, object value)
    {
        using var scratch = JsonScratch.Rent(options);
        JsonSerializer.Serialize(scratch.Writer, value, _typeInfo);
        JsonToMsgPack.Transcode(scratch.Written, writer);
    }

    public override object? Read(ref MsgPackReader reader)
    {
        using var scratch = JsonScratch.Rent(options);
        MsgPackToJson.Transcode(ref reader, scratch.Writer);
        var json = new Utf8JsonReader(scratch.Written);
        try
        {
            return JsonSerializer.Deserialize(ref json, _typeInfo);
        }
        catch (JsonException ex)
        {
            throw new BindingException($"System.Text.Json could not bind {TypeNames.Of(Type)}: {ex.Message}", ex);
        }
    }
}
