using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace Zaqar.Serialization;

/// <summary>
/// Whole JSON documents as native MessagePack and back, outside SignalR's protocol: the binary frames of Zaqar's
/// websocket transport (issue 13) carry one such document each. The mapping is the hub's (issue 11), so a value reads
/// and writes the same on both transports: see <see cref="JsonToMessagePack"/> and <see cref="MessagePackToJson"/>.
/// </summary>
/// <remarks>Stateless; thread-safe.</remarks>
public static class JsonMessagePack
{
    /// <summary>The MessagePack form of a JSON value.</summary>
    public static byte[] Write(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        JsonToMessagePack.Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads the MessagePack value at <paramref name="reader"/> and returns its JSON text (UTF-8), nesting bounded by
    /// <paramref name="options"/>' security (<see cref="ZaqarMessagePack.Create"/>). A value with no JSON form throws <see cref="MessagePackSerializationException"/>;
    /// data that ends inside a value, <see cref="EndOfStreamException"/>; nesting past the bound, an
    /// <see cref="InsufficientExecutionStackException"/>.
    /// </summary>
    public static byte[] ReadJson(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        MessagePackToJson.Read(ref reader, options, static json => json.ToArray());

    /// <summary>The JSON text of the one MessagePack value filling <paramref name="data"/> (anything after it throws).</summary>
    public static byte[] ReadJson(ReadOnlyMemory<byte> data, MessagePackSerializerOptions options)
    {
        var reader = new MessagePackReader(data);
        var json = ReadJson(ref reader, options);
        return reader.End ? json : throw new MessagePackSerializationException($"{data.Length - reader.Consumed} bytes follow the value.");
    }
}
