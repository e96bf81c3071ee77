using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary><see cref="Nullable{T}"/>: nil is handled by the serializer, anything else by the underlying type's converter.</summary>
internal sealed class NullableConverter(Type type, MsgPackConverter underlying) : MsgPackConverter(type)
{
    public override void Write(MsgPackWriter writer, object value) => underlying.Write(writer, value);

    public override object? Read(ref MsgPackReader reader) => underlying.Read(ref reader);
}

/// <summary>
/// <see cref="object"/>. Writing uses the runtime type (a bare <c>new object()</c> is an empty map, as in JSON). Reading
/// maps each MessagePack type to its natural .NET type: bool, <see cref="long"/> (<see cref="ulong"/> above
/// <see cref="long.MaxValue"/>), <see cref="double"/>, <see cref="string"/>, <c>byte[]</c>, <c>object?[]</c>,
/// <c>Dictionary&lt;string, object?&gt;</c>, and a UTC <see cref="DateTime"/> for a timestamp.
/// </summary>
internal sealed class UntypedObjectConverter(MsgPackSerializer serializer) : MsgPackConverter(typeof(object))
{
    public override void Write(MsgPackWriter writer, object value)
    {
        var runtimeType = value.GetType();
        if (runtimeType == typeof(object))
        {
            writer.WriteMapHeader(0);
            return;
        }

        serializer.GetConverter(runtimeType).Write(writer, value);
    }

    public override object? Read(ref MsgPackReader reader) => ReadNatural(ref reader);

    /// <summary>Recursive, one level per array or map; the frame's depth was validated before binding.</summary>
    private static object? ReadNatural(ref MsgPackReader reader)
    {
        switch (reader.NextType)
        {
            case MsgPackType.Nil:
                reader.TryReadNil();
                return null;
            case MsgPackType.Boolean:
                return reader.ReadBoolean();
            case MsgPackType.Integer:
                var integer = reader.ReadInteger();
                return integer <= long.MaxValue ? (long)integer : (ulong)integer;
            case MsgPackType.Float:
                return reader.ReadDouble();
            case MsgPackType.String:
                return reader.ReadString();
            case MsgPackType.Binary:
                return reader.ReadBinary().ToArray();
            case MsgPackType.Extension:
                return reader.ReadTimestamp();
            case MsgPackType.Array:
                var items = new object?[reader.ReadArrayHeader()];
                for (var i = 0; i < items.Length; i++)
                {
                    try
                    {
                        items[i] = ReadNatural(ref reader);
                    }
                    catch (Exception ex)
                    {
                        throw BindingException.At(ex, BindingException.Element(i));
                    }
                }

                return items;
            case MsgPackType.Map:
                var count = reader.ReadMapHeader();
                var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
                for (var i = 0; i < count; i++)
                {
                    var key = reader.ReadString();
                    try
                    {
                        map[key] = ReadNatural(ref reader);
                    }
                    catch (Exception ex)
                    {
                        throw BindingException.At(ex, BindingException.Member(key));
                    }
                }

                return map;
            default:
                throw reader.Unexpected("a value");
        }
    }
}
