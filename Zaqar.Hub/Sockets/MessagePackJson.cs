using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using MessagePack;

namespace Zaqar.Hub.Sockets;

/// <summary>A frame that is not a value this transport can take; the message says why, Python-style (<c>Name: detail</c>).</summary>
public sealed class FrameDecodeException(string name, string detail) : Exception($"{name}: {detail}");

/// <summary>
/// MessagePack to JSON and back for Zaqar's websocket transport (zaqar-v2-api.md 10.1, issue 13): a binary frame is read
/// into the same JSON values a text frame gives, so the common API layer sees one kind of input; answers and pushes are
/// written as JSON once and re-encoded for binary connections.
/// </summary>
/// <remarks>
/// Reading uses MessagePack-CSharp's reader with <see cref="MessagePackSecurity.UntrustedData"/> bounding the depth, and
/// takes only what JSON can hold: nil, booleans, integers, finite floats, UTF-8 strings, arrays, and maps with string
/// keys. Binary and extension values, non-string keys, invalid UTF-8, NaN and infinities are refused (Python's msgpack
/// would hand Zaqar bytes or such keys, which its JSON layer then fails on). Stateless; thread-safe.
/// </remarks>
public static class MessagePackJson
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>The JSON text (UTF-8) of one MessagePack value filling <paramref name="frame"/> exactly.</summary>
    /// <exception cref="FrameDecodeException">The frame is not one such value.</exception>
    public static byte[] ToJson(ReadOnlyMemory<byte> frame, int maxDepth)
    {
        var security = MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(maxDepth);
        var reader = new MessagePackReader(frame);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, frame.Length * 2));
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, Writer))
            {
                Copy(ref reader, writer, security);
            }
            if (!reader.End)
            {
                throw new FrameDecodeException("ExtraData", $"the frame holds more than one value ({frame.Length - reader.Consumed} bytes left over).");
            }
        }
        catch (EndOfStreamException)
        {
            throw new FrameDecodeException("OutOfData", "the frame ends inside a value.");
        }
        catch (Exception ex) when (ex is InsufficientExecutionStackException ||
            (ex is MessagePackSerializationException && ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FrameDecodeException("StackError", $"values are nested deeper than {maxDepth} levels.");
        }
        catch (MessagePackSerializationException ex)
        {
            throw new FrameDecodeException("FormatError", ex.Message);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The MessagePack form of a JSON value (an answer or a push this service wrote).</summary>
    public static byte[] FromJson(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Copy(ref MessagePackReader reader, Utf8JsonWriter writer, MessagePackSecurity security)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    writer.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    writer.WriteNumberValue(reader.ReadInt64());
                }
                break;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                if (!double.IsFinite(number))
                {
                    throw new FrameDecodeException("ValueError", "NaN and infinite floats are not JSON values.");
                }
                writer.WriteNumberValue(number);
                break;
            case MessagePackType.String:
                writer.WriteStringValue(ReadUtf8(ref reader));
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                security.DepthStep(ref reader);
                writer.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    Copy(ref reader, writer, security);
                }
                writer.WriteEndArray();
                reader.Depth--;
                break;
            case MessagePackType.Map:
                var entries = reader.ReadMapHeader();
                security.DepthStep(ref reader);
                writer.WriteStartObject();
                for (var i = 0; i < entries; i++)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        throw new FrameDecodeException("ValueError", $"map keys must be strings, not {Describe(reader.NextMessagePackType)}.");
                    }
                    writer.WritePropertyName(ReadUtf8(ref reader));
                    Copy(ref reader, writer, security);
                }
                writer.WriteEndObject();
                reader.Depth--;
                break;
            case MessagePackType.Unknown:
                throw new FrameDecodeException("FormatError", $"0x{reader.NextCode:x2} is not a MessagePack type code.");
            default:
                throw new FrameDecodeException("ValueError", $"{Describe(reader.NextMessagePackType)} values are not JSON values; send text as str.");
        }
    }

    private static byte[] ReadUtf8(ref MessagePackReader reader)
    {
        var text = reader.ReadStringSequence() ?? throw new FrameDecodeException("FormatError", "a string was expected.");
        var bytes = text.ToArray();
        return Utf8.IsValid(bytes) ? bytes : throw new FrameDecodeException("UnicodeDecodeError", "a string is not valid UTF-8.");
    }

    private static string Describe(MessagePackType type) => type switch
    {
        MessagePackType.Binary => "bin",
        MessagePackType.Extension => "ext",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static void Write(ref MessagePackWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var _ in value.EnumerateObject())
                {
                    count++;
                }
                writer.WriteMapHeader(count);
                foreach (var property in value.EnumerateObject())
                {
                    WriteText(ref writer, Text(property));
                    Write(ref writer, property.Value);
                }
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    Write(ref writer, item);
                }
                break;
            case JsonValueKind.String:
                WriteText(ref writer, Text(value));
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var signed):
                writer.Write(signed);
                break;
            case JsonValueKind.Number when value.TryGetUInt64(out var unsigned):
                writer.Write(unsigned);
                break;
            case JsonValueKind.Number:
                writer.Write(value.GetDouble());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                writer.Write(value.GetBoolean());
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    private static void WriteText(ref MessagePackWriter writer, string text) => writer.WriteString(Encoding.UTF8.GetBytes(text));

    // A lone UTF-16 surrogate escape (\ud800, stored before the service refused such text, issue 10) has no UTF-8 form and
    // can't be read as a string: its escaped JSON text is passed on instead, rather than failing the whole answer or push.
    private static string Text(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return value.GetRawText().Trim('"');
        }
    }

    private static string Text(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return "\uFFFD";
        }
    }
}
