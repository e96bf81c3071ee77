using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>
/// Writes one frame into a buffer rented from <see cref="ArrayPool{T}"/>, leaving room in front for the length prefix so
/// the finished frame goes to the transport in a single copy.
/// </summary>
/// <remarks>
/// Integers use the smallest form, with non-negative values in the unsigned forms, exactly as MessagePack-CSharp (and so
/// the official SignalR protocol) writes them; strings use str8 from 32 bytes. Not thread-safe: one instance per write,
/// taken from <see cref="Rent"/> and given back with <see cref="Dispose"/>.
/// </remarks>
internal sealed class MsgPackWriter : IDisposable
{
    private const int InitialSize = 512;

    [ThreadStatic]
    private static MsgPackWriter? _cached;

    private byte[] _buffer = [];
    private int _length;
    private int _depth;
    private int _maxDepth;

    private MsgPackWriter()
    {
    }

    /// <summary>Bytes written after the reserved prefix space.</summary>
    public int PayloadLength => _length - LengthPrefix.MaxSize;

    /// <summary>Takes this thread's cached writer (or a new one when it is in use) with an empty buffer.</summary>
    public static MsgPackWriter Rent(int maxDepth)
    {
        var writer = _cached ?? new MsgPackWriter();
        _cached = null;
        writer._buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        writer._length = LengthPrefix.MaxSize;
        writer._depth = 0;
        writer._maxDepth = maxDepth;
        return writer;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _cached = this;
    }

    /// <summary>Guards against cycles and runaway graphs: each array or map written counts one level.</summary>
    public void Enter()
    {
        if (++_depth > _maxDepth)
        {
            throw new InvalidOperationException(
                $"The object graph is nested deeper than {_maxDepth} levels (JsonSerializerOptions.MaxDepth); it may contain a cycle.");
        }
    }

    public void Exit() => _depth--;

    /// <summary>Writes the length prefix and the payload to <paramref name="output"/>.</summary>
    public void CopyFrameTo(IBufferWriter<byte> output) => output.Write(FinishFrame());

    /// <summary>Returns a new array holding the length prefix and the payload.</summary>
    public byte[] ToFrameArray() => FinishFrame().ToArray();

    public void WriteNil() => Reserve(1)[0] = MsgPackCode.Nil;

    public void WriteBoolean(bool value) => Reserve(1)[0] = value ? MsgPackCode.True : MsgPackCode.False;

    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteUInt64((ulong)value);
        }
        else if (value >= -32)
        {
            Reserve(1)[0] = (byte)(sbyte)value;
        }
        else if (value >= sbyte.MinValue)
        {
            WriteCode(MsgPackCode.Int8, 1)[0] = (byte)(sbyte)value;
        }
        else if (value >= short.MinValue)
        {
            BinaryPrimitives.WriteInt16BigEndian(WriteCode(MsgPackCode.Int16, 2), (short)value);
        }
        else if (value >= int.MinValue)
        {
            BinaryPrimitives.WriteInt32BigEndian(WriteCode(MsgPackCode.Int32, 4), (int)value);
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(WriteCode(MsgPackCode.Int64, 8), value);
        }
    }

    public void WriteUInt64(ulong value)
    {
        if (value <= MsgPackCode.MaxPositiveFixInt)
        {
            Reserve(1)[0] = (byte)value;
        }
        else if (value <= byte.MaxValue)
        {
            WriteCode(MsgPackCode.UInt8, 1)[0] = (byte)value;
        }
        else if (value <= ushort.MaxValue)
        {
            BinaryPrimitives.WriteUInt16BigEndian(WriteCode(MsgPackCode.UInt16, 2), (ushort)value);
        }
        else if (value <= uint.MaxValue)
        {
            BinaryPrimitives.WriteUInt32BigEndian(WriteCode(MsgPackCode.UInt32, 4), (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(WriteCode(MsgPackCode.UInt64, 8), value);
        }
    }

    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleBigEndian(WriteCode(MsgPackCode.Float32, 4), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleBigEndian(WriteCode(MsgPackCode.Float64, 8), value);

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNil();
            return;
        }

        WriteString(value.AsSpan());
    }

    public void WriteString(ReadOnlySpan<char> value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(byteCount);
        var written = Encoding.UTF8.GetBytes(value, Reserve(byteCount));
        _length -= byteCount - written;
    }

    public void WriteStringUtf8(ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        utf8.CopyTo(Reserve(utf8.Length));
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteSizedHeader(value.Length, MsgPackCode.Bin8, MsgPackCode.Bin16, MsgPackCode.Bin32);
        value.CopyTo(Reserve(value.Length));
    }

    public void WriteArrayHeader(int count)
    {
        if (count <= 15)
        {
            Reserve(1)[0] = (byte)(MsgPackCode.MinFixArray | count);
            return;
        }

        WriteSizedHeader(count, 0, MsgPackCode.Array16, MsgPackCode.Array32);
    }

    public void WriteMapHeader(int count)
    {
        if (count <= 15)
        {
            Reserve(1)[0] = (byte)(MsgPackCode.MinFixMap | count);
            return;
        }

        WriteSizedHeader(count, 0, MsgPackCode.Map16, MsgPackCode.Map32);
    }

    public void WriteTimestamp(DateTime value)
    {
        Span<byte> data = stackalloc byte[12];
        var length = MsgPackTimestamp.Encode(MsgPackTimestamp.ToUtc(value), data);
        WriteExtension(MsgPackCode.TimestampExtType, data[..length]);
    }

    public void WriteExtension(sbyte typeCode, ReadOnlySpan<byte> data)
    {
        var fixCode = data.Length switch
        {
            1 => MsgPackCode.FixExt1,
            2 => MsgPackCode.FixExt2,
            4 => MsgPackCode.FixExt4,
            8 => MsgPackCode.FixExt8,
            16 => MsgPackCode.FixExt16,
            _ => (byte)0,
        };
        if (fixCode != 0)
        {
            Reserve(1)[0] = fixCode;
        }
        else
        {
            WriteSizedHeader(data.Length, MsgPackCode.Ext8, MsgPackCode.Ext16, MsgPackCode.Ext32);
        }

        Reserve(1)[0] = (byte)typeCode;
        data.CopyTo(Reserve(data.Length));
    }

    /// <summary>Copies already-encoded MessagePack (a <c>RawResult</c>) verbatim.</summary>
    public void WriteRaw(in ReadOnlySequence<byte> raw)
    {
        raw.CopyTo(Reserve(checked((int)raw.Length)));
    }

    private void WriteStringHeader(int byteCount)
    {
        if (byteCount <= 31)
        {
            Reserve(1)[0] = (byte)(MsgPackCode.MinFixStr | byteCount);
            return;
        }

        WriteSizedHeader(byteCount, MsgPackCode.Str8, MsgPackCode.Str16, MsgPackCode.Str32);
    }

    /// <summary>Writes a 1-, 2- or 4-byte size header; <paramref name="code8"/> is 0 for arrays and maps, which have no 8-bit form.</summary>
    private void WriteSizedHeader(int size, byte code8, byte code16, byte code32)
    {
        if (code8 != 0 && size <= byte.MaxValue)
        {
            WriteCode(code8, 1)[0] = (byte)size;
        }
        else if (size <= ushort.MaxValue)
        {
            BinaryPrimitives.WriteUInt16BigEndian(WriteCode(code16, 2), (ushort)size);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(WriteCode(code32, 4), (uint)size);
        }
    }

    private Span<byte> WriteCode(byte code, int payloadSize)
    {
        var span = Reserve(1 + payloadSize);
        span[0] = code;
        return span[1..];
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    private void Grow(int count)
    {
        var newSize = Math.Max(checked(_length + count), checked(_buffer.Length * 2));
        var larger = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    /// <summary>Writes the prefix right before the payload and returns prefix plus payload.</summary>
    private ReadOnlySpan<byte> FinishFrame()
    {
        var payloadLength = PayloadLength;
        var prefixSize = LengthPrefix.SizeOf(payloadLength);
        var start = LengthPrefix.MaxSize - prefixSize;
        LengthPrefix.Write(payloadLength, _buffer.AsSpan(start, prefixSize));
        return _buffer.AsSpan(start, _length - start);
    }
}
