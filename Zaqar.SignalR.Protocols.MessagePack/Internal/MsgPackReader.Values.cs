namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>Reads that span a whole value: timestamps, skipping, raw copies.</summary>
internal ref partial struct MsgPackReader
{
    /// <summary>Reads a timestamp extension (type -1) in any of its three encodings as a UTC <see cref="DateTime"/>.</summary>
    public DateTime ReadTimestamp()
    {
        var start = _position;
        if (NextType != MsgPackType.Extension)
        {
            throw Unexpected("a timestamp");
        }

        var data = ReadExtension(out var typeCode);
        return typeCode == MsgPackCode.TimestampExtType
            ? MsgPackTimestamp.Decode(data)
            : throw new InvalidDataException($"Expected a timestamp (extension type -1) but found extension type {typeCode} at byte {start}.");
    }

    /// <summary>Skips the next value, nested contents included. Iterative: a pending-item counter replaces recursion.</summary>
    public void Skip()
    {
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            var code = NextCode;
            switch (MsgPackCode.TypeOf(code))
            {
                case MsgPackType.Array:
                    pending += ReadArrayHeader();
                    break;
                case MsgPackType.Map:
                    pending += 2L * ReadMapHeader();
                    break;
                case MsgPackType.Nil or MsgPackType.Boolean:
                    _position++;
                    break;
                case MsgPackType.Integer:
                    ReadInteger();
                    break;
                case MsgPackType.Float:
                    Payload(code == MsgPackCode.Float32 ? 4 : 8);
                    break;
                case MsgPackType.String:
                    ReadStringBytes();
                    break;
                case MsgPackType.Binary:
                    ReadBinary();
                    break;
                case MsgPackType.Extension:
                    ReadExtension(out _);
                    break;
                default:
                    throw Unexpected("a value");
            }
        }
    }

    /// <summary>Returns the bytes of the next value, unparsed, and moves past it.</summary>
    public ReadOnlySpan<byte> ReadRaw()
    {
        var start = _position;
        Skip();
        return _buffer[start.._position];
    }
}
