using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Zaqar.SignalR.Protocols.MessagePack.Internal;
using Zaqar.SignalR.Protocols.MessagePack.Serialization.Json;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// Enums, following the System.Text.Json options: when a <c>JsonStringEnumConverter</c> applies (in <c>Converters</c>,
/// on the enum, or on the member) values are written as the exact strings it produces (naming policy,
/// <c>[JsonStringEnumMemberName]</c>, flag combinations); otherwise as the underlying integer.
/// </summary>
/// <remarks>
/// The names of defined values are computed once, by running the System.Text.Json converter, and cached as UTF-8.
/// Reading in string mode hands the value to that converter (so case rules and integer acceptance match the JSON
/// protocol); in number mode an int is range-checked against the underlying type, and a defined name is accepted too.
/// </remarks>
internal sealed class EnumConverter<T> : MsgPackConverter
    where T : struct, Enum
{
    private static readonly bool _unsigned = Type.GetTypeCode(Enum.GetUnderlyingType(typeof(T))) is
        TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64;

    private readonly JsonSerializerOptions _options;
    private readonly JsonTypeInfo _typeInfo;
    private readonly FrozenDictionary<T, byte[]>? _names;

    public EnumConverter(JsonSerializerOptions options)
        : base(typeof(T))
    {
        _options = options;
        _typeInfo = options.GetTypeInfo(typeof(T));
        var names = new Dictionary<T, byte[]>();
        foreach (var value in Enum.GetValues<T>())
        {
            var element = JsonSerializer.SerializeToElement(value, _typeInfo);
            if (element.ValueKind == JsonValueKind.String)
            {
                names[value] = Encoding.UTF8.GetBytes(element.GetString()!);
            }
        }

        _names = names.Count > 0 ? names.ToFrozenDictionary() : null;
    }

    public override void Write(MsgPackWriter writer, object value)
    {
        var typed = (T)value;
        if (_names is null)
        {
            WriteNumber(writer, typed);
        }
        else if (_names.TryGetValue(typed, out var name))
        {
            writer.WriteStringUtf8(name);
        }
        else
        {
            // Flag combinations and undefined values: let the JSON converter decide between a string and a number.
            var element = JsonSerializer.SerializeToElement(typed, _typeInfo);
            JsonToMsgPack.Transcode(JsonMarshal.GetRawUtf8Value(element), writer);
        }
    }

    public override object? Read(ref MsgPackReader reader)
    {
        if (_names is not null)
        {
            return ReadThroughJson(ref reader);
        }

        switch (reader.NextType)
        {
            case MsgPackType.Integer:
                var number = reader.ReadInteger();
                if (!FitsUnderlying(number))
                {
                    throw new BindingException($"The integer {number} is outside the range of {typeof(T).Name}.");
                }

                return _unsigned ? Enum.ToObject(typeof(T), (ulong)number) : Enum.ToObject(typeof(T), (long)number);
            case MsgPackType.String:
                var text = reader.ReadString();
                return Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                    ? parsed
                    : throw new BindingException($"\"{DecimalConverter.Truncate(text)}\" is not a {typeof(T).Name} value.");
            default:
                throw Mismatch(ref reader);
        }
    }

    private static bool FitsUnderlying(Int128 number) => Type.GetTypeCode(Enum.GetUnderlyingType(typeof(T))) switch
    {
        TypeCode.SByte => number >= sbyte.MinValue && number <= sbyte.MaxValue,
        TypeCode.Byte => number >= byte.MinValue && number <= byte.MaxValue,
        TypeCode.Int16 => number >= short.MinValue && number <= short.MaxValue,
        TypeCode.UInt16 => number >= ushort.MinValue && number <= ushort.MaxValue,
        TypeCode.Int32 => number >= int.MinValue && number <= int.MaxValue,
        TypeCode.UInt32 => number >= uint.MinValue && number <= uint.MaxValue,
        TypeCode.Int64 => number >= long.MinValue && number <= long.MaxValue,
        _ => number >= ulong.MinValue && number <= ulong.MaxValue,
    };

    private static void WriteNumber(MsgPackWriter writer, T value)
    {
        if (_unsigned)
        {
            writer.WriteUInt64(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteInt64(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private object? ReadThroughJson(ref MsgPackReader reader)
    {
        if (reader.NextType is not (MsgPackType.String or MsgPackType.Integer))
        {
            throw Mismatch(ref reader);
        }

        using var scratch = JsonScratch.Rent(_options);
        MsgPackToJson.Transcode(ref reader, scratch.Writer);
        var json = new Utf8JsonReader(scratch.Written);
        try
        {
            return JsonSerializer.Deserialize(ref json, _typeInfo);
        }
        catch (JsonException ex)
        {
            throw new BindingException($"The value is not a {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
