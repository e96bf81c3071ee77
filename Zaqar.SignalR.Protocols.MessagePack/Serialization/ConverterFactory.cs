using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization;

/// <summary>Chooses the converter for a type: native mappings first, then System.Text.Json's contract kind.</summary>
/// <remarks>Stateless and thread-safe; results are cached by <see cref="MsgPackSerializer"/>.</remarks>
internal static class ConverterFactory
{
    private static readonly Dictionary<Type, Func<MsgPackConverter>> _natives = new()
    {
        [typeof(bool)] = () => new BooleanConverter(),
        [typeof(sbyte)] = () => new IntegerConverter<sbyte>(),
        [typeof(byte)] = () => new IntegerConverter<byte>(),
        [typeof(short)] = () => new IntegerConverter<short>(),
        [typeof(ushort)] = () => new IntegerConverter<ushort>(),
        [typeof(int)] = () => new IntegerConverter<int>(),
        [typeof(uint)] = () => new IntegerConverter<uint>(),
        [typeof(long)] = () => new IntegerConverter<long>(),
        [typeof(ulong)] = () => new IntegerConverter<ulong>(),
        [typeof(float)] = () => new SingleConverter(),
        [typeof(double)] = () => new DoubleConverter(),
        [typeof(decimal)] = () => new DecimalConverter(),
        [typeof(string)] = () => new StringConverter(),
        [typeof(char)] = () => new CharConverter(),
        [typeof(Guid)] = () => new GuidConverter(),
        [typeof(TimeSpan)] = () => new TimeSpanConverter(),
        [typeof(DateTime)] = () => new DateTimeConverter(),
        [typeof(DateTimeOffset)] = () => new DateTimeOffsetConverter(),
        [typeof(byte[])] = () => new BinaryConverter(typeof(byte[])),
        [typeof(ArraySegment<byte>)] = () => new BinaryConverter(typeof(ArraySegment<byte>)),
        [typeof(Memory<byte>)] = () => new BinaryConverter(typeof(Memory<byte>)),
        [typeof(ReadOnlyMemory<byte>)] = () => new BinaryConverter(typeof(ReadOnlyMemory<byte>)),
    };

    public static MsgPackConverter Create(Type type, JsonSerializerOptions options, MsgPackSerializer serializer)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return new NullableConverter(type, serializer.GetConverter(underlying));
        }

        if (type.IsEnum)
        {
            return (MsgPackConverter)Activator.CreateInstance(typeof(EnumConverter<>).MakeGenericType(type), options)!;
        }

        if (type == typeof(JsonElement) || type == typeof(JsonDocument) || typeof(JsonNode).IsAssignableFrom(type))
        {
            return new JsonValueConverter(type, options);
        }

        // A converter the application registered (in Converters or by attribute) wins over our native mapping, exactly
        // as it wins in the JSON protocol.
        if (HasCustomConverter(type, options))
        {
            return new JsonBridgeConverter(type, options);
        }

        if (type == typeof(object))
        {
            return new UntypedObjectConverter(serializer);
        }

        if (_natives.TryGetValue(type, out var native))
        {
            return native();
        }

        var typeInfo = options.GetTypeInfo(type);
        return typeInfo.Kind switch
        {
            JsonTypeInfoKind.Object when typeInfo.PolymorphismOptions is null && !typeInfo.Properties.Any(p => p.IsExtensionData)
                => new PocoConverter(type, typeInfo, serializer),
            JsonTypeInfoKind.Enumerable when typeInfo.ElementType is { } element
                => Generic(typeof(CollectionConverter<>), element, type, typeInfo, serializer),
            JsonTypeInfoKind.Dictionary when typeInfo.KeyType == typeof(string) && typeInfo.ElementType is { } value
                => Generic(typeof(DictionaryConverter<>), value, type, typeInfo, serializer),

            // Custom-converted types, polymorphic hierarchies, extension data, non-string dictionary keys: System.Text.Json
            // knows how, so let it produce JSON and transcode that.
            _ => new JsonBridgeConverter(type, options),
        };
    }

    /// <summary>
    /// The converter for a member: its type's converter, unless the member has its own <c>[JsonConverter]</c>, in which
    /// case the type is handled by options that put that converter first.
    /// </summary>
    public static MsgPackConverter CreateForMember(JsonPropertyInfo member, MsgPackSerializer serializer)
    {
        if (member.CustomConverter is null)
        {
            return serializer.GetConverter(member.PropertyType);
        }

        var options = new JsonSerializerOptions(serializer.Options);
        options.Converters.Insert(0, member.CustomConverter);
        options.MakeReadOnly(populateMissingResolver: true);
        return Create(member.PropertyType, options, serializer);
    }

    private static bool HasCustomConverter(Type type, JsonSerializerOptions options) =>
        type.IsDefined(typeof(JsonConverterAttribute), inherit: false)
        || options.Converters.Any(c => c.CanConvert(type));

    private static MsgPackConverter Generic(
        Type definition, Type argument, Type type, JsonTypeInfo typeInfo, MsgPackSerializer serializer) =>
        (MsgPackConverter)Activator.CreateInstance(
            definition.MakeGenericType(argument),
            BindingFlags.Public | BindingFlags.Instance,
            binder: null,
            [type, typeInfo, serializer],
            culture: null)!;
}
