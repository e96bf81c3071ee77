using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Api;

/// <summary>
/// The one definition of an acceptable JSON value (issue 10): what the service stores it can serve back on every path
/// (REST, the hub's JSON and MessagePack protocols, push, the consume stream, webhook and mail notifications), so a
/// value one reader cannot serve is refused at the door, with 400 "Invalid request body", on every transport.
/// </summary>
/// <remarks>
/// <para>A value is acceptable when:</para>
/// <list type="bullet">
/// <item>it nests at most <see cref="MaxDepth"/> arrays and objects (a scalar has depth 0, <c>[]</c> depth 1). The limit is
/// half of System.Text.Json's documented default of 64, which SignalR's JSON protocol (server and .NET client) applies to a
/// whole frame: a frame puts at most five levels of envelope around a value, so 32 leaves room to spare there, in REST's
/// writer, in MessagePack (MessagePack-CSharp's UntrustedData allows 500) and in a webhook's post_data template;</item>
/// <item>every string, object keys included, is Unicode text without NUL: no unpaired UTF-16 surrogate (<c>"\ud800"</c>,
/// <c>"\udc00\ud800"</c>; MessagePack and UTF-8 cannot carry one) and no <c>\u0000</c> (PostgreSQL's jsonb and text refuse
/// it). Empty keys are fine;</item>
/// <item>no object has the same key twice (after unescaping): jsonb would keep only the last one, other readers the first;</item>
/// <item>an integer literal (no fraction, no exponent) fits a signed 64-bit integer (Zaqar's rule), and any other number is
/// within the range of a 64-bit float (MessagePack and JavaScript carry numbers as doubles; <c>1e400</c> would be
/// Infinity, which JSON cannot spell).</item>
/// </list>
/// <para>Reading back: message bodies are stored as the compact text of the value, so every JSON reader returns the same
/// text; a MessagePack reader gets integers as int64 and other numbers as the nearest double. Documents stored as jsonb
/// (queue and topic metadata, subscription and pool options) keep numbers as exact decimals and would turn <c>1e19</c> into
/// the integer 10000000000000000000 that Zaqar refuses; their non-integer numbers are therefore stored as the plain decimal
/// of the nearest double with at least one fractional digit (<c>1e2</c> is stored as <c>100.0</c>, <c>2.50</c> as
/// <c>2.5</c>: what Python's Zaqar, which reads them as floats, returns too), and their keys come back in jsonb's order.</para>
/// <para>Stateless; thread-safe.</para>
/// </remarks>
public static class AcceptableJson
{
    /// <summary>The deepest nesting of arrays and objects an accepted value may have.</summary>
    public const int MaxDepth = 32;

    public static readonly ZaqarException TooDeep = ApiErrors.BadBody($"JSON is nested too deeply. Max depth {MaxDepth}.");

    public static readonly ZaqarException UnpairedSurrogate =
        ApiErrors.BadBody("JSON contains a string that is not valid Unicode (an unpaired surrogate).");

    public static readonly ZaqarException NulCharacter = ApiErrors.BadBody("JSON contains a string with a NUL character (\\u0000).");

    public static readonly ZaqarException DuplicateKey = ApiErrors.BadBody("JSON contains an object with a duplicate key.");

    public static readonly ZaqarException NumberTooLarge = ApiErrors.BadBody("JSON contains number that is too large.");

    private static readonly JsonWriterOptions CompactWriter = new()
    {
        // Non-ASCII text stays UTF-8: any JSON reader accepts it, and HTML-safe escaping would only grow it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        Indented = false,
    };

    private enum Numbers
    {
        /// <summary>As the caller spelled them (message bodies, stored as json text).</summary>
        AsSent,

        /// <summary>Integers as int64, other numbers as the plain decimal of the nearest double (documents stored as jsonb).</summary>
        Decimal,
    }

    /// <summary>Checks a message body and returns the compact JSON text it is stored as (numbers as sent).</summary>
    public static string BodyText(JsonElement value) => Write(value, MaxDepth, Numbers.AsSent);

    /// <summary>
    /// Checks a value stored as jsonb (metadata, options) and returns its compact text, numbers normalised (see remarks).
    /// <paramref name="maxDepth"/> is less than <see cref="MaxDepth"/> for a value that will sit inside such a document.
    /// </summary>
    public static string DocumentText(JsonElement value, int maxDepth = MaxDepth) => Write(value, maxDepth, Numbers.Decimal);

    /// <summary><see cref="DocumentText"/> as a node to work on.</summary>
    public static JsonNode? DocumentNode(JsonElement value, int maxDepth = MaxDepth) => JsonNode.Parse(DocumentText(value, maxDepth));

    /// <summary>
    /// Checks a document a transport bound itself before it is interpreted (its strings are then safe to read), allowing
    /// <paramref name="maxDepth"/> levels for the document's own envelope and the values inside it.
    /// </summary>
    public static void Check(JsonElement document, int maxDepth) => Walk(document, null, maxDepth, Numbers.AsSent);

    /// <summary>True when <paramref name="text"/> has no NUL and no unpaired surrogate: text every store and reader keeps.</summary>
    public static bool IsAcceptableText(ReadOnlySpan<char> text) => Fault(text) is null;

    /// <summary>
    /// A query or call parameter that reaches storage (a marker, a name filter): 400 "Invalid parameter" unless it is
    /// acceptable text (issue 10: <c>?name=%00</c> reached PostgreSQL, which refuses NUL).
    /// </summary>
    public static string? Parameter(string name, string? value) =>
        value is null || IsAcceptableText(value)
            ? value
            : throw ApiErrors.InvalidParameter(name, "The value must be text without NUL characters or unpaired surrogates.");

    /// <summary>Fails with the string rule's error unless <paramref name="text"/> is acceptable text.</summary>
    public static void CheckText(ReadOnlySpan<char> text)
    {
        if (Fault(text) is { } fault)
        {
            throw fault;
        }
    }

    // One buffer and writer per thread, reused (issue 14): every posted body is written here, and a fresh buffer grew
    // from 256 bytes to the writer's worst-case escape size for each string, which was half of what a post allocated
    // (dotnet-trace gc-verbose of the bench's hub post). Write never awaits or re-enters, so a thread's pair is never
    // shared; a buffer grown past RetainedBufferBytes by a big body is dropped rather than kept for the thread's life.
    private const int RetainedBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    private static string Write(JsonElement value, int maxDepth, Numbers numbers)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, CompactWriter);
        writer.Reset(buffer); // Also after a walk that threw halfway through.
        try
        {
            Walk(value, writer, maxDepth, numbers);
            writer.Flush();
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            if (buffer.Capacity > RetainedBufferBytes)
            {
                (_threadBuffer, _threadWriter) = (null, null);
            }
        }
    }

    // Recursion is bounded: a container deeper than maxDepth is refused before it is entered.
    private static void Walk(JsonElement value, Utf8JsonWriter? writer, int depthLeft, Numbers numbers)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                Enter(ref depthLeft);
                writer?.WriteStartObject();
                var seen = value.GetPropertyCount() > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
                foreach (var property in value.EnumerateObject())
                {
                    var name = Read(property, static p => p.Name);
                    if (seen is not null && !seen.Add(name))
                    {
                        throw DuplicateKey;
                    }
                    writer?.WritePropertyName(name);
                    Walk(property.Value, writer, depthLeft, numbers);
                }
                writer?.WriteEndObject();
                break;
            case JsonValueKind.Array:
                Enter(ref depthLeft);
                writer?.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, writer, depthLeft, numbers);
                }
                writer?.WriteEndArray();
                break;
            case JsonValueKind.String:
                var text = Read(value, static v => v.GetString()!);
                writer?.WriteStringValue(text);
                break;
            case JsonValueKind.Number:
                WriteNumber(value, writer, numbers);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                writer?.WriteBooleanValue(value.ValueKind == JsonValueKind.True);
                break;
            case JsonValueKind.Null:
                writer?.WriteNullValue();
                break;
            default:
                throw ApiErrors.MalformedJson;
        }
    }

    private static void Enter(ref int depthLeft)
    {
        if (depthLeft == 0)
        {
            throw TooDeep;
        }
        depthLeft--;
    }

    /// <summary>Reads a string (or key) and applies the string rule; escapes of unpaired surrogates fail to unescape.</summary>
    private static string Read<T>(T source, Func<T, string> read)
    {
        string text;
        try
        {
            text = read(source);
        }
        catch (InvalidOperationException)
        {
            throw UnpairedSurrogate;
        }
        CheckText(text);
        return text;
    }

    private static void WriteNumber(JsonElement value, Utf8JsonWriter? writer, Numbers numbers)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (JsonInput.IsIntegerLiteral(raw))
        {
            if (!value.TryGetInt64(out var integer))
            {
                throw ApiErrors.IntegerTooLarge;
            }
            if (numbers == Numbers.Decimal)
            {
                writer?.WriteNumberValue(integer);
                return;
            }
        }
        else
        {
            if (!value.TryGetDouble(out var real) || !double.IsFinite(real))
            {
                throw NumberTooLarge;
            }
            if (numbers == Numbers.Decimal)
            {
                writer?.WriteRawValue(PlainDecimal(real), skipInputValidation: true);
                return;
            }
        }
        writer?.WriteRawValue(raw, skipInputValidation: true);
    }

    /// <summary>
    /// The shortest decimal that reads back as <paramref name="value"/>, written without an exponent and with at least one
    /// fractional digit, so that jsonb keeps it digit for digit and every reader still sees a non-integer.
    /// </summary>
    internal static string PlainDecimal(double value)
    {
        if (value == 0)
        {
            return "0.0"; // jsonb has no negative zero.
        }
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest[0] == '-';
        var text = negative ? shortest[1..] : shortest;
        var exponent = 0;
        if (text.IndexOf('E', StringComparison.Ordinal) is var e and >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? text : string.Concat(text.AsSpan(0, dot), text.AsSpan(dot + 1));
        // Where the decimal point goes, counted in digits from the left.
        var point = (dot < 0 ? text.Length : dot) + exponent;
        var significant = digits.TrimStart('0');
        point -= digits.Length - significant.Length;
        digits = significant.TrimEnd('0');
        var plain = point <= 0 ? "0." + new string('0', -point) + digits
            : point >= digits.Length ? digits + new string('0', point - digits.Length) + ".0"
            : digits[..point] + "." + digits[point..];
        return negative ? "-" + plain : plain;
    }

    private static ZaqarException? Fault(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return NulCharacter;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return UnpairedSurrogate;
            }
        }
        return null;
    }
}
