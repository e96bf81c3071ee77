using System.Buffers;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>
/// The frame length prefix: an unsigned VarInt, 7 bits per byte, least significant group first, high bit meaning
/// "another byte follows"; at most 5 bytes, the 5th using only its low 3 bits, so the largest length is 2^31-1.
/// </summary>
internal static class LengthPrefix
{
    public const int MaxSize = 5;

    /// <summary>
    /// Reads the prefix at the start of <paramref name="input"/>. Returns false when more bytes are needed to finish it.
    /// Throws <see cref="InvalidDataException"/> for a prefix longer than 5 bytes or above 2^31-1.
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> input, out int length, out int prefixSize)
    {
        Span<byte> head = stackalloc byte[MaxSize];
        var available = (int)Math.Min(MaxSize, input.Length);
        input.Slice(0, available).CopyTo(head);

        uint value = 0;
        for (var i = 0; i < available; i++)
        {
            var b = head[i];
            if (i == MaxSize - 1 && b > 0x07)
            {
                throw new InvalidDataException("The frame length prefix is larger than 2^31-1 or longer than 5 bytes.");
            }

            value |= (uint)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                length = (int)value;
                prefixSize = i + 1;
                return true;
            }
        }

        length = 0;
        prefixSize = 0;
        return false;
    }

    public static int SizeOf(int length)
    {
        var size = 1;
        for (var rest = (uint)length >> 7; rest != 0; rest >>= 7)
        {
            size++;
        }

        return size;
    }

    /// <summary>Writes the prefix for <paramref name="length"/> and returns its size.</summary>
    public static int Write(int length, Span<byte> destination)
    {
        var rest = (uint)length;
        var i = 0;
        while (rest >= 0x80)
        {
            destination[i++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        destination[i++] = (byte)rest;
        return i;
    }
}
