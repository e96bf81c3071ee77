using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization;

/// <summary>
/// Maps .NET values to MessagePack and back, driven by System.Text.Json's contract for the given options, so member
/// names, ignore conditions and converters match the JSON hub protocol.
/// </summary>
/// <remarks>
/// Thread-safe: converters are created once per type and cached in a <see cref="ConcurrentDictionary{TKey,TValue}"/>;
/// two threads racing on a new type may both build a converter, and one of the equivalent results wins.
/// </remarks>
internal sealed class MsgPackSerializer
{
    private readonly ConcurrentDictionary<Type, MsgPackConverter> _converters = new();
    private readonly Func<Type, MsgPackConverter> _create;

    public MsgPackSerializer(JsonSerializerOptions options)
    {
        // The JSON hub protocol's options carry no resolver until first used; lock them the way JsonSerializer would.
        if (!options.IsReadOnly)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        Options = options;
        MaxWriteDepth = options.MaxDepth > 0 ? options.MaxDepth : 64;
        _create = type => ConverterFactory.Create(type, Options, this);
    }

    public JsonSerializerOptions Options { get; }

    /// <summary>How deep an object graph may nest when written (System.Text.Json's MaxDepth; 64 when unset).</summary>
    public int MaxWriteDepth { get; }

    public MsgPackConverter GetConverter(Type type) => _converters.GetOrAdd(type, _create);

    public JsonTypeInfo GetTypeInfo(Type type) => Options.GetTypeInfo(type);

    /// <summary>Writes a value using its runtime type, as the JSON hub protocol does for arguments and results.</summary>
    public void Write(MsgPackWriter writer, object? value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        GetConverter(value.GetType()).Write(writer, value);
    }

    /// <summary>
    /// Writes a value through the converter for its declared type; a declared <see cref="object"/> uses the runtime type,
    /// as System.Text.Json does.
    /// </summary>
    public void Write(MsgPackWriter writer, object? value, MsgPackConverter declared)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var converter = declared.Type == typeof(object) ? GetConverter(value.GetType()) : declared;
        converter.Write(writer, value);
    }

    public object? Read(ref MsgPackReader reader, Type type) => Read(ref reader, GetConverter(type));

    public static object? Read(ref MsgPackReader reader, MsgPackConverter converter)
    {
        if (reader.IsNil && !converter.HandlesNil)
        {
            if (!converter.AcceptsNull)
            {
                throw new BindingException($"Cannot bind nil to the non-nullable {TypeNames.Of(converter.Type)}.");
            }

            reader.TryReadNil();
            return null;
        }

        return converter.Read(ref reader);
    }
}
