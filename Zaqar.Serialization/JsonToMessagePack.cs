using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;

namespace Zaqar.Serialization;

/// <summary>
/// Writes a JSON value as native MessagePack, as the JS client's values look: object → map (same key order), array →
/// array, string → str, true/false → bool, null → nil; a number by its text: an integer literal that fits int64 → the
/// smallest int, one that fits only uint64 → uint64, any other number → float64.
/// </summary>
/// <remarks>
/// Reads a <see cref="JsonElement"/>'s own UTF-8 text in place (strings and names without escapes are copied as they
/// are), so a stored body goes out without a JSON text round trip (issue 11, the push and claim paths). Recursion is
/// bounded by the element's document, whose parser limited its depth. Stateless and thread-safe.
/// </remarks>
internal static class JsonToMessagePack
{
    public static void Write(ref MessagePackWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteMapHeader(value.GetPropertyCount());
                foreach (var property in value.EnumerateObject())
                {
                    WriteName(ref writer, property);
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
                WriteString(ref writer, value);
                break;
            case JsonValueKind.Number:
                WriteNumber(ref writer, JsonMarshal.GetRawUtf8Value(value));
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                // Null, and Undefined (a default JsonElement, which System.Text.Json would refuse to write at all).
                writer.WriteNil();
                break;
        }
    }

    /// <summary>Writes a JsonNode tree the same way (metadata and health documents are held as nodes).</summary>
    public static void Write(ref MessagePackWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNil();
                break;
            case JsonObject obj:
                writer.WriteMapHeader(obj.Count);
                foreach (var (name, child) in obj)
                {
                    writer.Write(name);
                    Write(ref writer, child);
                }
                break;
            case JsonArray array:
                writer.WriteArrayHeader(array.Count);
                foreach (var item in array)
                {
                    Write(ref writer, item);
                }
                break;
            case JsonValue leaf when leaf.TryGetValue<JsonElement>(out var element):
                Write(ref writer, element);
                break;
            default:
                // A value made from a .NET primitive: its JSON form decides its MessagePack form, as for a parsed one.
                Write(ref writer, JsonSerializer.SerializeToElement(node));
                break;
        }
    }

    private static void WriteName(ref MessagePackWriter writer, JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.IndexOf((byte)'\\') < 0)
        {
            writer.WriteString(raw);
        }
        else
        {
            writer.Write(property.Name);
        }
    }

    private static void WriteString(ref MessagePackWriter writer, JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var text = raw[1..^1]; // The literal without its quotes.
        if (text.IndexOf((byte)'\\') < 0)
        {
            writer.WriteString(text);
        }
        else
        {
            writer.Write(value.GetString());
        }
    }

    private static void WriteNumber(ref MessagePackWriter writer, ReadOnlySpan<byte> text)
    {
        if (text.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed))
            {
                writer.Write(signed);
                return;
            }
            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unsigned))
            {
                writer.Write(unsigned);
                return;
            }
        }
        // Beyond 64 bits, or a fraction or exponent: a float64 (±Infinity past its range, as JavaScript reads it).
        writer.Write(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
