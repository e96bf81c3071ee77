using System.Globalization;
using System.Text.Json;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Json;

/// <summary>
/// Transcodes one MessagePack value to JSON: map to object (keys in order), array to array, nil to null, bool, str to
/// string, int to an integer number, float to a number that always carries a fraction or an exponent (2.0 is written
/// "2.0"), so it comes back as a float64. bin becomes a base64 string, a timestamp an ISO 8601 string (as System.Text.Json
/// writes DateTime); NaN, infinities and other extension types have no JSON form and throw.
/// </summary>
/// <remarks>
/// Recursive, one level per nested array or map; the frame was validated against MaxDepth before binding starts, so the
/// recursion is bounded. Stateless and thread-safe.
/// </remarks>
internal static class MsgPackToJson
{
    public static void Transcode(ref MsgPackReader reader, Utf8JsonWriter writer)
    {
        switch (reader.NextType)
        {
            case MsgPackType.Nil:
                reader.TryReadNil();
                writer.WriteNullValue();
                break;
            case MsgPackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MsgPackType.Integer:
                var integer = reader.ReadInteger();
                if (integer >= 0)
                {
                    writer.WriteNumberValue((ulong)integer);
                }
                else
                {
                    writer.WriteNumberValue((long)integer);
                }

                break;
            case MsgPackType.Float:
                WriteFloat(reader.ReadDouble(), writer);
                break;
            case MsgPackType.String:
                writer.WriteStringValue(reader.ReadStringBytes());
                break;
            case MsgPackType.Binary:
                writer.WriteBase64StringValue(reader.ReadBinary());
                break;
            case MsgPackType.Extension:
                writer.WriteStringValue(ReadTimestampForJson(ref reader));
                break;
            case MsgPackType.Array:
                var length = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (var i = 0; i < length; i++)
                {
                    Transcode(ref reader, writer);
                }

                writer.WriteEndArray();
                break;
            case MsgPackType.Map:
                var count = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (var i = 0; i < count; i++)
                {
                    writer.WritePropertyName(reader.ReadStringBytes());
                    Transcode(ref reader, writer);
                }

                writer.WriteEndObject();
                break;
            default:
                throw reader.Unexpected("a value");
        }
    }

    /// <summary>
    /// Writes a float as the shortest text that parses back to the same double, adding ".0" to integral values so the
    /// number stays a float on its way back to MessagePack.
    /// </summary>
    public static void WriteFloat(double value, Utf8JsonWriter writer)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidDataException($"The float {value.ToString(CultureInfo.InvariantCulture)} has no JSON representation.");
        }

        Span<byte> text = stackalloc byte[40];
        if (!value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit in 40 characters.");
        }

        if (text[..written].IndexOfAny((byte)'.', (byte)'E', (byte)'e') < 0)
        {
            text[written++] = (byte)'.';
            text[written++] = (byte)'0';
        }

        writer.WriteRawValue(text[..written], skipInputValidation: true);
    }

    private static DateTime ReadTimestampForJson(ref MsgPackReader reader)
    {
        var start = reader.Position;
        var data = reader.ReadExtension(out var typeCode);
        return typeCode == MsgPackCode.TimestampExtType
            ? MsgPackTimestamp.Decode(data)
            : throw new InvalidDataException($"The extension type {typeCode} at byte {start} has no JSON representation.");
    }
}
