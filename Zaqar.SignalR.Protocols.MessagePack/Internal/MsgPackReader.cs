using System.Buffers.Binary;
using System.Text;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>
/// A forward-only reader over one frame payload that <see cref="FrameValidator"/> has already accepted.
/// </summary>
/// <remarks>
/// Every read still checks the type it finds and throws <see cref="InvalidDataException"/> on a mismatch: during message
/// parsing that means a malformed message, during argument binding the caller turns it into a binding failure.
/// Bounds are checked too (a span slice throws), so a validator bug cannot turn into reading past the frame.
/// </remarks>
internal ref partial struct MsgPackReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public MsgPackReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly bool End => _position >= _buffer.Length;

    public readonly byte NextCode => _position < _buffer.Length ? _buffer[_position] : throw Truncated();

    public readonly MsgPackType NextType => MsgPackCode.TypeOf(NextCode);

    public readonly bool IsNil => NextCode == MsgPackCode.Nil;

    public bool TryReadNil()
    {
        if (NextCode != MsgPackCode.Nil)
        {
            return false;
        }

        _position++;
        return true;
    }

    public int ReadArrayHeader()
    {
        var code = NextCode;
        if (code is >= MsgPackCode.MinFixArray and <= MsgPackCode.MaxFixArray)
        {
            _position++;
            return code - MsgPackCode.MinFixArray;
        }

        return code switch
        {
            MsgPackCode.Array16 => ReadBigEndianLength(2),
            MsgPackCode.Array32 => ReadBigEndianLength(4),
            _ => throw Unexpected("an array"),
        };
    }

    public int ReadMapHeader()
    {
        var code = NextCode;
        if (code is >= MsgPackCode.MinFixMap and <= MsgPackCode.MaxFixMap)
        {
            _position++;
            return code - MsgPackCode.MinFixMap;
        }

        return code switch
        {
            MsgPackCode.Map16 => ReadBigEndianLength(2),
            MsgPackCode.Map32 => ReadBigEndianLength(4),
            _ => throw Unexpected("a map"),
        };
    }

    public bool ReadBoolean()
    {
        switch (NextCode)
        {
            case MsgPackCode.True:
                _position++;
                return true;
            case MsgPackCode.False:
                _position++;
                return false;
            default:
                throw Unexpected("a boolean");
        }
    }

    /// <summary>Reads an integer of any MessagePack width; <see cref="Int128"/> holds all of them exactly.</summary>
    public Int128 ReadInteger()
    {
        var code = NextCode;
        if (code <= MsgPackCode.MaxPositiveFixInt || code >= MsgPackCode.MinNegativeFixInt)
        {
            _position++;
            return (sbyte)code;
        }

        return code switch
        {
            MsgPackCode.UInt8 => Payload(1)[0],
            MsgPackCode.UInt16 => BinaryPrimitives.ReadUInt16BigEndian(Payload(2)),
            MsgPackCode.UInt32 => BinaryPrimitives.ReadUInt32BigEndian(Payload(4)),
            MsgPackCode.UInt64 => BinaryPrimitives.ReadUInt64BigEndian(Payload(8)),
            MsgPackCode.Int8 => (sbyte)Payload(1)[0],
            MsgPackCode.Int16 => BinaryPrimitives.ReadInt16BigEndian(Payload(2)),
            MsgPackCode.Int32 => BinaryPrimitives.ReadInt32BigEndian(Payload(4)),
            MsgPackCode.Int64 => BinaryPrimitives.ReadInt64BigEndian(Payload(8)),
            _ => throw Unexpected("an integer"),
        };
    }

    /// <summary>Reads an integer of any width into a <see cref="long"/>, throwing if it does not fit.</summary>
    public long ReadInt64()
    {
        var start = _position;
        var value = ReadInteger();
        return value >= long.MinValue && value <= long.MaxValue
            ? (long)value
            : throw new InvalidDataException($"The integer {value} at byte {start} does not fit in Int64.");
    }

    /// <summary>Reads a float32, a float64 or an integer as a <see cref="double"/> (JavaScript sends integral numbers as ints).</summary>
    public double ReadDouble()
    {
        switch (NextCode)
        {
            case MsgPackCode.Float64:
                return BinaryPrimitives.ReadDoubleBigEndian(Payload(8));
            case MsgPackCode.Float32:
                return BinaryPrimitives.ReadSingleBigEndian(Payload(4));
            default:
                if (NextType != MsgPackType.Integer)
                {
                    throw Unexpected("a number");
                }

                return (double)ReadInteger();
        }
    }

    /// <summary>Reads a str's UTF-8 bytes (the validator has checked they are valid UTF-8).</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        var code = NextCode;
        if (code is >= MsgPackCode.MinFixStr and <= MsgPackCode.MaxFixStr)
        {
            _position++;
            return Take(code - MsgPackCode.MinFixStr);
        }

        var length = code switch
        {
            MsgPackCode.Str8 => ReadBigEndianLength(1),
            MsgPackCode.Str16 => ReadBigEndianLength(2),
            MsgPackCode.Str32 => ReadBigEndianLength(4),
            _ => throw Unexpected("a string"),
        };
        return Take(length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    public string? ReadStringOrNil() => TryReadNil() ? null : ReadString();

    public ReadOnlySpan<byte> ReadBinary()
    {
        var length = NextCode switch
        {
            MsgPackCode.Bin8 => ReadBigEndianLength(1),
            MsgPackCode.Bin16 => ReadBigEndianLength(2),
            MsgPackCode.Bin32 => ReadBigEndianLength(4),
            _ => throw Unexpected("binary data"),
        };
        return Take(length);
    }

    public ReadOnlySpan<byte> ReadExtension(out sbyte typeCode)
    {
        var code = NextCode;
        int length;
        if (code is >= MsgPackCode.FixExt1 and <= MsgPackCode.FixExt16)
        {
            _position++;
            length = 1 << (code - MsgPackCode.FixExt1);
        }
        else
        {
            length = code switch
            {
                MsgPackCode.Ext8 => ReadBigEndianLength(1),
                MsgPackCode.Ext16 => ReadBigEndianLength(2),
                MsgPackCode.Ext32 => ReadBigEndianLength(4),
                _ => throw Unexpected("an extension"),
            };
        }

        typeCode = (sbyte)Take(1)[0];
        return Take(length);
    }

    /// <summary>An exception naming what was expected and what the frame holds instead.</summary>
    public readonly InvalidDataException Unexpected(string expected) =>
        new($"Expected {expected} but found MessagePack {MsgPackCode.NameOf(NextType)} at byte {_position}.");

    private ReadOnlySpan<byte> Payload(int size)
    {
        _position++;
        return Take(size);
    }

    private int ReadBigEndianLength(int size)
    {
        var bytes = Payload(size);
        var length = size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };

        // The validator caps lengths far below this; the check keeps the reader safe on its own.
        return length <= int.MaxValue ? (int)length : throw Truncated();
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            throw Truncated();
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly InvalidDataException Truncated() => new($"The MessagePack data is truncated at byte {_position}.");
}
