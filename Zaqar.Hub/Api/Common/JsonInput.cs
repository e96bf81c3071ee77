using System.Buffers;
using System.Text.Json;

namespace Zaqar.Hub.Api;

/// <summary>
/// Untrusted JSON text in: parsing a request document with Zaqar's error rules (malformed, integers beyond 64 bits) and
/// the string, key and depth rules of <see cref="AcceptableJson"/> applied to the whole document, so no string of it can
/// fail to read later; and reading back the JSON text the service stored.
/// </summary>
public static class JsonInput
{
    /// <summary>
    /// How deep a request document may nest: a value's limit plus the deepest envelope a request puts around one
    /// (<c>{"messages":[{"body": ...}]}</c>, a PATCH's <c>[{"value": ...}]</c>). Deeper documents hold a value deeper than
    /// <see cref="AcceptableJson.MaxDepth"/>, and are refused with its error before they are parsed.
    /// </summary>
    public const int MaxDocumentDepth = AcceptableJson.MaxDepth + 8;

    /// <summary>
    /// The deepest stored value a reader must still parse: before issue 10, REST accepted documents of 128 levels. New
    /// values are at most <see cref="AcceptableJson.MaxDepth"/> deep.
    /// </summary>
    public const int StoredMaxDepth = 128;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDocumentDepth, AllowDuplicateProperties = false };
    private static readonly JsonDocumentOptions DuplicatesAllowed = DocumentOptions with { AllowDuplicateProperties = true };
    private static readonly JsonSerializerOptions StoredOptions = new() { MaxDepth = StoredMaxDepth };

    /// <summary>
    /// Parses a request body; 400 "could not be parsed", "integer that is too large", or one of <see cref="AcceptableJson"/>'s
    /// errors (too deep, unpaired surrogate, NUL, duplicate key) on bad input.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8)
    {
        // The reader does not validate UTF-8 inside strings; Zaqar refuses a body that does not decode.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            throw ApiErrors.MalformedJson;
        }
        Scan(utf8.Span);
        try
        {
            return JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException)
        {
            // Scan found the document well-formed, so a failure here is a duplicate key; parsing again tells for sure.
            using var _ = TryParse(utf8, DuplicatesAllowed) ?? throw ApiErrors.MalformedJson;
            throw AcceptableJson.DuplicateKey;
        }
    }

    /// <summary>Parses stored JSON text (written by us; tolerant of values stored before issue 10's depth limit).</summary>
    public static JsonElement ParseStored(string json) => JsonSerializer.Deserialize<JsonElement>(json, StoredOptions);

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

    /// <summary>True for a number literal without fraction or exponent (Zaqar's integers; all other numbers are floats).</summary>
    internal static bool IsIntegerLiteral(ReadOnlySpan<char> raw) => raw.IndexOfAny('.', 'e', 'E') < 0;

    /// <inheritdoc cref="IsIntegerLiteral(ReadOnlySpan{char})"/>
    internal static bool IsIntegerLiteral(ReadOnlySpan<byte> raw) => raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options)
    {
        try
        {
            return JsonDocument.Parse(utf8, options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // One pass over the tokens, before anything is built: Python's json module (Zaqar) rejects integer literals outside
    // 64 bits with its own message; escaped strings must unescape to acceptable text (issue 10); nesting is bounded.
    private static void Scan(ReadOnlySpan<byte> utf8)
    {
        // One level more than allowed, so the reader reaches the too-deep container and the check below names it.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDocumentDepth + 1 });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= MaxDocumentDepth:
                        throw AcceptableJson.TooDeep;
                    case JsonTokenType.Number:
                        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                        if (IsIntegerLiteral(raw) && !reader.TryGetInt64(out _))
                        {
                            throw ApiErrors.IntegerTooLarge;
                        }
                        break;
                    case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                        CheckEscapedString(ref reader);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            throw ApiErrors.MalformedJson;
        }
    }

    // Raw (unescaped) text is valid UTF-8 without control characters, checked above and by the reader; only escapes can
    // spell an unpaired surrogate or NUL.
    private static void CheckEscapedString(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            int written;
            try
            {
                written = reader.CopyString(rented);
            }
            catch (InvalidOperationException)
            {
                throw AcceptableJson.UnpairedSurrogate;
            }
            AcceptableJson.CheckText(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
