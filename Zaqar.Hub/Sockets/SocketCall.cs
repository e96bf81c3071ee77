using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Sockets;

/// <summary>What an action handler gets: the frame (already checked against the schema), the caller, and the connection.</summary>
/// <remarks>Body values were type-checked by <see cref="SocketSchema"/>; these accessors only bind them.</remarks>
public sealed record SocketCall(SocketFrame Frame, CallContext? Identity, SocketConnection Connection, CancellationToken Ct)
{
    /// <summary>Who calls (every action but the home document and ping has one).</summary>
    public CallContext Caller => Identity ?? throw new InvalidOperationException("This action was dispatched without an identity.");

    public JsonElement Body => Frame.Body;

    /// <summary>The queue the action is about (required by the schema of every queue, message, claim and subscription action).</summary>
    public string Queue => String("queue_name")!;

    public string? String(string key) => Body.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>An integer key; beyond int's range it is clamped, so the API's range check reports it with its own message.</summary>
    public int? Int(string key)
    {
        if (!Body.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Number)
        {
            return null;
        }
        if (v.TryGetInt64(out var n))
        {
            return (int)Math.Clamp(n, int.MinValue, int.MaxValue);
        }
        return v.GetRawText().StartsWith('-') ? int.MinValue : int.MaxValue;
    }

    public bool? Bool(string key) => Body.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// <summary>A value of any type; null when absent.</summary>
    public JsonElement? Value(string key) => Body.TryGetProperty(key, out var v) ? v : null;

    /// <summary>A list of strings (ids); 400 when an item is not a string.</summary>
    public IReadOnlyList<string>? Strings(string key)
    {
        if (!Body.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        return v.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.String ? item.GetString()! : throw ApiErrors.BadBody($"The \"{key}\" field must be a list of strings."))
            .ToList();
    }

    /// <summary>The body without <paramref name="key"/> (a pool or flavor document without its name), for the API's document readers.</summary>
    public Func<Task<JsonElement?>> DocumentWithout(string key)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = 2048 }))
        {
            writer.WriteStartObject();
            foreach (var property in Body.EnumerateObject().Where(p => p.Name != key))
            {
                property.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 2048 });
        var element = document.RootElement.Clone();
        return () => Task.FromResult<JsonElement?>(element);
    }
}

/// <summary>An action's answer: its status and body (any JSON value; Zaqar answers some actions with a sentence).</summary>
public readonly record struct SocketReply(int Status, JsonNode? Body)
{
    public static SocketReply Of(int status, string text) => new(status, JsonValue.Create(text));

    /// <summary>An empty object with the status (Zaqar's answer of deletes and purges).</summary>
    public static SocketReply Empty(int status) => new(status, new JsonObject());
}
