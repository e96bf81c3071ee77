using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Binds hub argument objects (the *Args records) from JSON with liberal member names: "claim_id", "claimId"
/// and "ClaimId" all name the member whose wire name is "claim_id" (case and underscores are ignored). Writing
/// uses the declared names.
/// </summary>
internal sealed class LiberalArgsConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.Namespace == typeof(ListQueuesArgs).Namespace && typeToConvert.Name.EndsWith("Args", StringComparison.Ordinal);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(LiberalArgsConverter<>).MakeGenericType(typeToConvert), options)!;

    /// <summary>"claim_id", "claimId", "ClaimId" → "claimid".</summary>
    public static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}

internal sealed class LiberalArgsConverter<T> : JsonConverter<T>
{
    private readonly JsonSerializerOptions _inner;
    private readonly Dictionary<string, string> _names;

    public LiberalArgsConverter(JsonSerializerOptions outer)
    {
        // The same options without this factory, to read and write T itself.
        _inner = new JsonSerializerOptions(outer);
        foreach (var factory in _inner.Converters.OfType<LiberalArgsConverterFactory>().ToList())
        {
            _inner.Converters.Remove(factory);
        }
        _names = _inner.GetTypeInfo(typeof(T)).Properties
            .ToDictionary(p => LiberalArgsConverterFactory.Normalize(p.Name), p => p.Name);
    }

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Expected a JSON object for {typeof(T).Name}.");
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                writer.WritePropertyName(_names.GetValueOrDefault(LiberalArgsConverterFactory.Normalize(property.Name), property.Name));
                property.Value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, _inner);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, _inner);
}
