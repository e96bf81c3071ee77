using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using MessagePack;
using Zaqar.Serialization;

namespace Zaqar.Hub.Sockets;

/// <summary>A frame that is not a value this transport can take; the message says why, Python-style (<c>Name: detail</c>).</summary>
public sealed class FrameDecodeException(string name, string detail) : Exception($"{name}: {detail}");

/// <summary>
/// One request frame of Zaqar's websocket transport (zaqar-v2-api.md 10.1): <c>{"action", "headers", "body"}</c> as
/// JSON (a text frame) or MessagePack (a binary frame), read into JSON values. Owns the parsed document: dispose it once
/// the frame is answered.
/// </summary>
public sealed class SocketFrame : IDisposable
{
    private readonly JsonDocument _document;

    private SocketFrame(JsonDocument document, bool binary)
    {
        _document = document;
        Binary = binary;
    }

    /// <summary>Came as MessagePack; the answer goes back the same way.</summary>
    public bool Binary { get; }

    /// <summary>The whole payload (any JSON value: the envelope checks come after decoding).</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>The action's name; null when absent or not a string.</summary>
    public string? Action => Member("action") is { ValueKind: JsonValueKind.String } a ? a.GetString() : null;

    /// <summary>The body object (REST's request body and query parameters in one); an empty object when absent.</summary>
    public JsonElement Body => Member("body") is { ValueKind: JsonValueKind.Object } body ? body : EmptyObject;

    /// <summary>A string header; null when absent or not a string.</summary>
    public string? Header(string name) =>
        Member("headers") is { ValueKind: JsonValueKind.Object } headers && headers.TryGetProperty(name, out var value) &&
        value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A member of the payload; Undefined when absent (or the payload is not an object).</summary>
    public JsonElement Member(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Decodes a frame; <see cref="FrameDecodeException"/> when it is not JSON (text) or JSON-compatible MessagePack (binary).</summary>
    public static SocketFrame Decode(ReadOnlyMemory<byte> payload, bool binary, int maxDepth)
    {
        ReadOnlyMemory<byte> json;
        if (binary)
        {
            json = ReadMessagePack(payload, maxDepth);
        }
        else
        {
            // The WebSocket layer refuses a text frame that is not UTF-8 (RFC 6455 closes the connection with 1007); checked
            // here as well, so no other way in can hand the parser such text.
            if (!Utf8.IsValid(payload.Span))
            {
                throw new FrameDecodeException("UnicodeDecodeError", "the frame is not valid UTF-8.");
            }
            json = payload;
        }
        try
        {
            return new SocketFrame(JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth }), binary);
        }
        catch (JsonException ex)
        {
            throw new FrameDecodeException("JSONDecodeError", ex.Message.Split(" Path:", 2)[0]);
        }
    }

    public void Dispose() => _document.Dispose();

    /// <summary>
    /// The JSON text of the one MessagePack value filling <paramref name="payload"/>, read as the hub reads MessagePack
    /// (issue 11: bin as base64, a timestamp as ISO 8601 text; NaN, other extension types and non-string keys refused),
    /// failures named after Python msgpack's exceptions as Zaqar reports them.
    /// </summary>
    private static byte[] ReadMessagePack(ReadOnlyMemory<byte> payload, int maxDepth)
    {
        var reader = new MessagePackReader(payload);
        byte[] json;
        try
        {
            json = JsonMessagePack.ReadJson(ref reader, ZaqarMessagePack.Create(maxDepth));
        }
        catch (EndOfStreamException)
        {
            throw new FrameDecodeException("OutOfData", "the frame ends inside a value.");
        }
        catch (InsufficientExecutionStackException)
        {
            throw new FrameDecodeException("StackError", $"values are nested deeper than {maxDepth} levels.");
        }
        catch (MessagePackSerializationException ex)
        {
            throw new FrameDecodeException(ex.Message.Contains("UTF-8", StringComparison.Ordinal) ? "UnicodeDecodeError" : "ValueError", ex.Message);
        }
        if (!reader.End)
        {
            throw new FrameDecodeException("ExtraData", $"the frame holds more than one value ({payload.Length - reader.Consumed} bytes left over).");
        }
        return json;
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
}

/// <summary>
/// Answers of Zaqar's websocket transport: <c>{"request": {"action", "body", "headers", "api": "v2"}, "body", "headers":
/// {"status"}}</c>, the request echoed (clients match answers by order), in the frame type of the request.
/// </summary>
public static class SocketAnswers
{
    public const string Api = "v2";

    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true, MaxDepth = 2048 };

    private static readonly JsonSerializerOptions Serializer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 1024 };

    /// <summary>The answer's JSON text. <paramref name="request"/> null: a frame that could not be read (echoed as Zaqar does, all empty).</summary>
    public static byte[] Json(SocketFrame? request, int status, JsonNode? body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            w.WritePropertyName("request");
            w.WriteStartObject();
            w.WritePropertyName("action");
            WriteOr(w, request?.Member("action"), static w => w.WriteNullValue());
            w.WritePropertyName("body");
            WriteOr(w, request?.Member("body"), static w => { w.WriteStartObject(); w.WriteEndObject(); });
            w.WritePropertyName("headers");
            // Zaqar echoes "headers or {}": an absent or null one as an empty object.
            WriteOr(w, request?.Member("headers") is { ValueKind: not JsonValueKind.Null } h ? h : null, static w => { w.WriteStartObject(); w.WriteEndObject(); });
            w.WriteString("api", Api);
            w.WriteEndObject();
            w.WritePropertyName("body");
            if (body is null)
            {
                w.WriteNullValue();
            }
            else
            {
                body.WriteTo(w, Serializer);
            }
            w.WritePropertyName("headers");
            w.WriteStartObject();
            w.WriteNumber("status", status);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The answer as it goes on the wire: JSON text, or MessagePack for a binary request.</summary>
    public static byte[] Encode(byte[] json, bool binary)
    {
        if (!binary)
        {
            return json;
        }
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2048 });
        return JsonMessagePack.Write(document.RootElement);
    }

    /// <summary>An envelope error (zaqar-v2-api.md 10.1): <c>{"error": "..."}</c>.</summary>
    public static JsonObject Error(string error) => new() { ["error"] = error };

    /// <summary>An action's error: <c>{"exception": detail, "error": summary}</c>.</summary>
    public static JsonObject ActionError(string exception, string? error) => new() { ["exception"] = exception, ["error"] = error };

    private static void WriteOr(Utf8JsonWriter w, JsonElement? value, Action<Utf8JsonWriter> fallback)
    {
        if (value is { ValueKind: not JsonValueKind.Undefined } v)
        {
            // The request's own text: a string REST would refuse (an unpaired surrogate escape, issue 10) is echoed as sent
            // instead of failing the answer that refuses it.
            w.WriteRawValue(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(v), skipInputValidation: true);
        }
        else
        {
            fallback(w);
        }
    }
}
