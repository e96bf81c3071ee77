using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// Sequences (System.Text.Json's Enumerable kind): arrays, <c>List&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>,
/// <c>IList&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c> and other collections, as a MessagePack array. Interfaces are read
/// as <c>List&lt;T&gt;</c> (as System.Text.Json does); concrete collection types need a parameterless constructor and
/// <c>ICollection&lt;T&gt;</c>.
/// </summary>
internal sealed class CollectionConverter<TElement> : MsgPackConverter
{
    private readonly MsgPackSerializer _serializer;
    private readonly Func<object>? _create;
    private MsgPackConverter? _element;

    public CollectionConverter(Type type, JsonTypeInfo typeInfo, MsgPackSerializer serializer)
        : base(type)
    {
        _serializer = serializer;
        _create = typeInfo.CreateObject;
    }

    // Resolved on first use so that self-referencing types do not recurse while converters are being built.
    private MsgPackConverter Element => _element ??= _serializer.GetConverter(typeof(TElement));

    public override void Write(MsgPackWriter writer, object value)
    {
        writer.Enter();
        var element = Element;
        if (value is IList list and (TElement[] or List<TElement>))
        {
            writer.WriteArrayHeader(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                _serializer.Write(writer, list[i], element);
            }
        }
        else
        {
            var items = value as IReadOnlyCollection<TElement> ?? [.. (IEnumerable<TElement>)value];
            writer.WriteArrayHeader(items.Count);
            var written = 0;
            foreach (var item in items)
            {
                _serializer.Write(writer, item, element);
                written++;
            }

            if (written != items.Count)
            {
                throw new InvalidOperationException($"The {TypeNames.Of(Type)} changed while it was being written.");
            }
        }

        writer.Exit();
    }

    public override object? Read(ref MsgPackReader reader)
    {
        if (reader.NextType != MsgPackType.Array)
        {
            throw Mismatch(ref reader);
        }

        var count = reader.ReadArrayHeader();
        var element = Element;
        if (Type == typeof(TElement[]))
        {
            var array = new TElement[count];
            for (var i = 0; i < count; i++)
            {
                array[i] = ReadElement(ref reader, element, i);
            }

            return array;
        }

        ICollection<TElement> target = Type.IsAssignableFrom(typeof(List<TElement>))
            ? new List<TElement>(count)
            : _create?.Invoke() as ICollection<TElement>
                ?? throw new BindingException($"{TypeNames.Of(Type)} cannot be created: it needs a parameterless constructor and ICollection<T>.");
        for (var i = 0; i < count; i++)
        {
            target.Add(ReadElement(ref reader, element, i));
        }

        return target;
    }

    private static TElement ReadElement(ref MsgPackReader reader, MsgPackConverter element, int index)
    {
        try
        {
            return (TElement)MsgPackSerializer.Read(ref reader, element)!;
        }
        catch (Exception ex)
        {
            throw BindingException.At(ex, BindingException.Element(index));
        }
    }
}

/// <summary>
/// String-keyed dictionaries (<c>Dictionary&lt;string, T&gt;</c>, <c>IReadOnlyDictionary&lt;string, T&gt;</c>, ...) as
/// a MessagePack map. Keys are written through the options' <c>DictionaryKeyPolicy</c> (as the JSON protocol does) and
/// read as sent. Interfaces are read as <c>Dictionary&lt;string, T&gt;</c>; a repeated key keeps its last value.
/// </summary>
internal sealed class DictionaryConverter<TValue> : MsgPackConverter
{
    private readonly MsgPackSerializer _serializer;
    private readonly Func<object>? _create;
    private readonly JsonNamingPolicy? _keyPolicy;
    private MsgPackConverter? _value;

    public DictionaryConverter(Type type, JsonTypeInfo typeInfo, MsgPackSerializer serializer)
        : base(type)
    {
        _serializer = serializer;
        _create = typeInfo.CreateObject;
        _keyPolicy = serializer.Options.DictionaryKeyPolicy;
    }

    private MsgPackConverter ValueConverter => _value ??= _serializer.GetConverter(typeof(TValue));

    public override void Write(MsgPackWriter writer, object value)
    {
        writer.Enter();
        var entries = value as IReadOnlyCollection<KeyValuePair<string, TValue>>
            ?? [.. (IEnumerable<KeyValuePair<string, TValue>>)value];
        writer.WriteMapHeader(entries.Count);
        var converter = ValueConverter;
        foreach (var (key, item) in entries)
        {
            writer.WriteString(_keyPolicy is null ? key : _keyPolicy.ConvertName(key));
            _serializer.Write(writer, item, converter);
        }

        writer.Exit();
    }

    public override object? Read(ref MsgPackReader reader)
    {
        if (reader.NextType != MsgPackType.Map)
        {
            throw Mismatch(ref reader);
        }

        var count = reader.ReadMapHeader();
        IDictionary<string, TValue> target = Type.IsAssignableFrom(typeof(Dictionary<string, TValue>))
            ? new Dictionary<string, TValue>(count, StringComparer.Ordinal)
            : _create?.Invoke() as IDictionary<string, TValue>
                ?? throw new BindingException($"{TypeNames.Of(Type)} cannot be created: it needs a parameterless constructor.");
        var converter = ValueConverter;
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            try
            {
                target[key] = (TValue)MsgPackSerializer.Read(ref reader, converter)!;
            }
            catch (Exception ex)
            {
                throw BindingException.At(ex, BindingException.Member(key));
            }
        }

        return target;
    }
}
