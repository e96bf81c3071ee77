using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MessagePack;

namespace Zaqar.Serialization;

/// <summary>
/// Reads one native MessagePack value as JSON: map → object (keys in order; keys must be strings), array → array,
/// nil → null, bool, int → an integer, float → a number that always has a fraction or an exponent (2.0 stays "2.0", so it
/// goes back out as a float), str → string. bin becomes a base64 string and a timestamp an ISO 8601 string, as the JSON
/// protocol would write a byte[] and a DateTime; NaN, infinities and other extension types have no JSON form and throw.
/// </summary>
/// <remarks>
/// Every nested array and map takes a step of the options' depth limit (<see cref="MessagePackSecurity.DepthStep"/>), so
/// the recursion is bounded. A failure throws; SignalR reports it to the caller as a binding failure. Thread-safe: the
/// text is written to a buffer of the calling thread's own.
/// </remarks>
internal static class MessagePackToJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Bodies are stored and served as this text: UTF-8 as it came, no HTML-safe escaping to grow it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 1000,
    };

    /// <summary>Reading the text back: its depth was limited while it was written (the options' depth limit).</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 1000 };

    /// <summary>The same, for parsing the text into a document or nodes.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 1000 };

    [ThreadStatic]
    private static Scratch? _spare;

    /// <summary>Reads the value at the reader as JSON, and hands the UTF-8 text to <paramref name="parse"/>.</summary>
    public static T Read<T>(ref MessagePackReader reader, MessagePackSerializerOptions options, Func<ReadOnlyMemory<byte>, T> parse)
    {
        var scratch = _spare ?? new Scratch();
        _spare = null;
        try
        {
            scratch.Writer.Reset(scratch.Buffer);
            WriteValue(ref reader, scratch.Writer, options);
            scratch.Writer.Flush();
            return parse(scratch.Buffer.WrittenMemory);
        }
        finally
        {
            scratch.Clear();
            _spare = scratch;
        }
    }

    private static void WriteValue(ref MessagePackReader reader, Utf8JsonWriter json, MessagePackSerializerOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                json.WriteNumberValue(reader.ReadUInt64());
                break;
            case MessagePackType.Integer:
                json.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float:
                WriteFloat(reader.ReadDouble(), json);
                break;
            case MessagePackType.String:
                WriteString(ref reader, json, propertyName: false);
                break;
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes()!.Value;
                json.WriteBase64StringValue(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray());
                break;
            case MessagePackType.Extension when reader.CreatePeekReader().ReadExtensionFormatHeader().TypeCode == ReservedMessagePackExtensionTypeCode.DateTime:
                json.WriteStringValue(reader.ReadDateTime());
                break;
            case MessagePackType.Array:
                options.Security.DepthStep(ref reader);
                var length = reader.ReadArrayHeader();
                json.WriteStartArray();
                for (var i = 0; i < length; i++)
                {
                    WriteValue(ref reader, json, options);
                }
                json.WriteEndArray();
                reader.Depth--;
                break;
            case MessagePackType.Map:
                options.Security.DepthStep(ref reader);
                var count = reader.ReadMapHeader();
                json.WriteStartObject();
                for (var i = 0; i < count; i++)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        throw new MessagePackSerializationException(
                            $"A map key in a JSON value must be a string, not {reader.NextMessagePackType} (code 0x{reader.NextCode:x2}).");
                    }
                    WriteString(ref reader, json, propertyName: true);
                    WriteValue(ref reader, json, options);
                }
                json.WriteEndObject();
                reader.Depth--;
                break;
            default:
                throw new MessagePackSerializationException(
                    $"MessagePack {reader.NextMessagePackType} (code 0x{reader.NextCode:x2}) has no JSON form.");
        }
    }

    private static void WriteString(ref MessagePackReader reader, Utf8JsonWriter json, bool propertyName)
    {
        if (reader.TryReadStringSpan(out var span))
        {
            Write(json, span, propertyName);
            return;
        }
        var sequence = reader.ReadStringSequence()!.Value;
        var rented = ArrayPool<byte>.Shared.Rent(checked((int)sequence.Length));
        try
        {
            sequence.CopyTo(rented);
            Write(json, rented.AsSpan(0, (int)sequence.Length), propertyName);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> utf8, bool propertyName)
        {
            // The writer would put U+FFFD in place of invalid bytes: text that is not what was sent is refused instead.
            if (!System.Text.Unicode.Utf8.IsValid(utf8))
            {
                throw new MessagePackSerializationException("A string is not valid UTF-8.");
            }
            if (propertyName)
            {
                json.WritePropertyName(utf8);
            }
            else
            {
                json.WriteStringValue(utf8);
            }
        }
    }

    /// <summary>The shortest text that reads back as the same double, with ".0" added to whole values so they stay floats.</summary>
    private static void WriteFloat(double value, Utf8JsonWriter json)
    {
        if (!double.IsFinite(value))
        {
            throw new MessagePackSerializationException($"The float {value.ToString(CultureInfo.InvariantCulture)} has no JSON form.");
        }
        Span<byte> text = stackalloc byte[40];
        value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        if (text[..written].IndexOfAny((byte)'.', (byte)'E', (byte)'e') < 0)
        {
            text[written++] = (byte)'.';
            text[written++] = (byte)'0';
        }
        json.WriteRawValue(text[..written], skipInputValidation: true);
    }

    /// <summary>A thread's reusable text buffer and writer; the buffer is dropped when one value made it large.</summary>
    private sealed class Scratch
    {
        private const int KeptCapacity = 64 * 1024;

        public ArrayBufferWriter<byte> Buffer { get; private set; } = new(1024);

        public Utf8JsonWriter Writer { get; } = new(Stream.Null, WriterOptions);

        public void Clear()
        {
            if (Buffer.Capacity > KeptCapacity)
            {
                Buffer = new ArrayBufferWriter<byte>(1024);
            }
            else
            {
                Buffer.ResetWrittenCount();
            }
            Writer.Reset(Stream.Null);
        }
    }
}
