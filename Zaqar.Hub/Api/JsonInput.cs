using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Zaqar.Hub.Api;

/// <summary>
/// Untrusted JSON in: parsing with Zaqar's error rules (malformed, integers beyond 64 bits), and the compact
/// text form message bodies are stored in.
/// </summary>
public static class JsonInput
{
    private const int MaxDepth = 128;

    private static readonly JsonWriterOptions CompactWriter = new()
    {
        // Keep non-ASCII text as UTF-8: the body is stored and returned as JSON text, and any JSON reader
        // accepts it; HTML-safe escaping would only grow it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        Indented = false,
    };

    /// <summary>Parses a request body; 400 "could not be parsed" or "integer that is too large" on bad input.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8)
    {
        // The reader does not validate UTF-8 inside strings; Zaqar refuses a body that does not decode.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            throw ApiErrors.MalformedJson;
        }
        CheckIntegers(utf8.Span);
        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            throw ApiErrors.MalformedJson;
        }
    }

    /// <summary>
    /// Applies the integer rule of <see cref="Parse"/> to a value a transport bound itself (the hub's JSON and MessagePack
    /// protocols accept any integer), so a body or metadata REST refuses is refused on every transport.
    /// </summary>
    public static void CheckIntegers(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when !value.TryGetInt64(out _) && IsIntegerLiteral(value.GetRawText()):
                throw ApiErrors.IntegerTooLarge;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    CheckIntegers(item);
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    CheckIntegers(property.Value);
                }
                break;
        }
    }

    /// <summary>The compact JSON text of a value, as message bodies are stored.</summary>
    public static string Compact(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            value.WriteTo(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses stored JSON text (trusted: written by us).</summary>
    public static JsonElement ParseStored(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    /// <summary>True for an integer literal (no fraction, no exponent) that fits in a signed 64-bit value.</summary>
    public static bool IsInteger(JsonElement value, out long result)
    {
        result = 0;
        return value.ValueKind == JsonValueKind.Number && IsIntegerLiteral(value.GetRawText()) && value.TryGetInt64(out result);
    }

    /// <summary>True for the text of an integer literal that fits in a signed 64-bit value.</summary>
    public static bool IsIntegerText(string raw, out long result)
    {
        result = 0;
        return IsIntegerLiteral(raw) &&
            long.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out result);
    }

    private static bool IsIntegerLiteral(string raw) => raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;

    // Python's json module (Zaqar) rejects integer literals outside 64 bits with its own message; number
    // literals with a fraction or exponent are floats and always accepted.
    private static void CheckIntegers(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number)
                {
                    var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                    if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && !reader.TryGetInt64(out _))
                    {
                        throw ApiErrors.IntegerTooLarge;
                    }
                }
            }
        }
        catch (JsonException)
        {
            throw ApiErrors.MalformedJson;
        }
    }
}
