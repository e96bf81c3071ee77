using System.Buffers.Binary;
using System.Text;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// Builds MessagePack bytes by hand, independently of the protocol under test, so tests can state exactly which encoding
/// they send (an int as uint8 or int64, a timestamp in its 32-, 64- or 96-bit form).
/// </summary>
public sealed class MsgPackBuilder
{
    private readonly List<byte> _bytes = [];

    public MsgPackBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public MsgPackBuilder Nil() => Raw(0xc0);

    public MsgPackBuilder Bool(bool value) => Raw(value ? (byte)0xc3 : (byte)0xc2);

    /// <summary>The smallest form, as @msgpack/msgpack writes a safe integer.</summary>
    public MsgPackBuilder Int(long value) => value switch
    {
        >= 0 and <= 127 => Raw((byte)value),
        >= -32 and < 0 => Raw((byte)(sbyte)value),
        >= 0 and <= byte.MaxValue => UInt8((byte)value),
        >= 0 and <= ushort.MaxValue => UInt16((ushort)value),
        >= 0 and <= uint.MaxValue => UInt32((uint)value),
        >= 0 => UInt64((ulong)value),
        >= sbyte.MinValue => Int8((sbyte)value),
        >= short.MinValue => Int16((short)value),
        >= int.MinValue => Int32((int)value),
        _ => Int64(value),
    };

    public MsgPackBuilder UInt8(byte value) => Raw(0xcc, value);

    public MsgPackBuilder UInt16(ushort value) => Sized(0xcd, 2, s => BinaryPrimitives.WriteUInt16BigEndian(s, value));

    public MsgPackBuilder UInt32(uint value) => Sized(0xce, 4, s => BinaryPrimitives.WriteUInt32BigEndian(s, value));

    public MsgPackBuilder UInt64(ulong value) => Sized(0xcf, 8, s => BinaryPrimitives.WriteUInt64BigEndian(s, value));

    public MsgPackBuilder Int8(sbyte value) => Raw(0xd0, (byte)value);

    public MsgPackBuilder Int16(short value) => Sized(0xd1, 2, s => BinaryPrimitives.WriteInt16BigEndian(s, value));

    public MsgPackBuilder Int32(int value) => Sized(0xd2, 4, s => BinaryPrimitives.WriteInt32BigEndian(s, value));

    public MsgPackBuilder Int64(long value) => Sized(0xd3, 8, s => BinaryPrimitives.WriteInt64BigEndian(s, value));

    public MsgPackBuilder Float32(float value) => Sized(0xca, 4, s => BinaryPrimitives.WriteSingleBigEndian(s, value));

    public MsgPackBuilder Float64(double value) => Sized(0xcb, 8, s => BinaryPrimitives.WriteDoubleBigEndian(s, value));

    public MsgPackBuilder Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return (utf8.Length switch
        {
            <= 31 => Raw((byte)(0xa0 | utf8.Length)),
            <= byte.MaxValue => Raw(0xd9, (byte)utf8.Length),
            <= ushort.MaxValue => Sized(0xda, 2, s => BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)utf8.Length)),
            _ => Sized(0xdb, 4, s => BinaryPrimitives.WriteUInt32BigEndian(s, (uint)utf8.Length)),
        }).Raw(utf8);
    }

    public MsgPackBuilder Bin(byte[] value) => (value.Length <= byte.MaxValue
        ? Raw(0xc4, (byte)value.Length)
        : Sized(0xc6, 4, s => BinaryPrimitives.WriteUInt32BigEndian(s, (uint)value.Length))).Raw(value);

    public MsgPackBuilder Array(int count) => count <= 15
        ? Raw((byte)(0x90 | count))
        : Sized(0xdd, 4, s => BinaryPrimitives.WriteUInt32BigEndian(s, (uint)count));

    public MsgPackBuilder Map(int count) => count <= 15
        ? Raw((byte)(0x80 | count))
        : Sized(0xdf, 4, s => BinaryPrimitives.WriteUInt32BigEndian(s, (uint)count));

    public MsgPackBuilder Ext(sbyte type, byte[] data) => (data.Length switch
    {
        1 => Raw(0xd4, (byte)type),
        2 => Raw(0xd5, (byte)type),
        4 => Raw(0xd6, (byte)type),
        8 => Raw(0xd7, (byte)type),
        16 => Raw(0xd8, (byte)type),
        _ => Raw(0xc7, (byte)data.Length, (byte)type),
    }).Raw(data);

    public byte[] ToArray() => [.. _bytes];

    /// <summary>The bytes with their VarInt length prefix.</summary>
    public byte[] ToFrame() => Frame(ToArray());

    public static byte[] Frame(byte[] payload) => [.. Prefix(payload.Length), .. payload];

    /// <summary>The VarInt length prefix for <paramref name="length"/>.</summary>
    public static byte[] Prefix(int length)
    {
        var prefix = new List<byte>();
        var rest = (uint)length;
        do
        {
            var b = (byte)(rest & 0x7f);
            rest >>= 7;
            prefix.Add(rest == 0 ? b : (byte)(b | 0x80));
        }
        while (rest != 0);

        return [.. prefix];
    }

    private MsgPackBuilder Sized(byte code, int size, SpanAction write)
    {
        var buffer = new byte[size];
        write(buffer);
        return Raw(code).Raw(buffer);
    }

    private delegate void SpanAction(Span<byte> span);
}
