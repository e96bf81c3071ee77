using System.Buffers.Binary;
using System.Text.Unicode;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>
/// Checks that a frame payload is exactly one well-formed MessagePack value within the configured limits, before any of it
/// is bound. Binding can then treat every later failure as a type mismatch (a binding failure), never as a broken frame.
/// </summary>
/// <remarks>
/// Iterative, with an explicit stack bounded by <see cref="MessagePackHubProtocolOptions.MaxDepth"/>, so no frame can drive
/// recursion. Every declared length is compared with the bytes that are actually left before anything else happens, and a
/// container of n elements needs at least n more bytes, so nothing the frame declares is ever allocated here.
/// </remarks>
internal static class FrameValidator
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Throws <see cref="InvalidDataException"/> unless <paramref name="frame"/> is valid.</summary>
    public static void Validate(ReadOnlySpan<byte> frame, MessagePackHubProtocolOptions limits)
    {
        if (frame.IsEmpty)
        {
            throw new InvalidDataException("Invalid MessagePack frame: the frame is empty.");
        }

        // remaining[i]: items still to read in the container open at level i; maps count keys and values separately.
        Span<long> remaining = stackalloc long[limits.MaxDepth];
        Span<bool> isMap = stackalloc bool[limits.MaxDepth];
        var depth = 0;
        var position = 0;

        do
        {
            var isKey = false;
            if (depth > 0)
            {
                isKey = isMap[depth - 1] && remaining[depth - 1] % 2 == 0;
                remaining[depth - 1]--;
            }

            var count = ValidateValue(frame, ref position, isKey, limits, out var containerIsMap);
            if (count >= 0)
            {
                if (depth + 1 > limits.MaxDepth)
                {
                    throw Invalid($"nesting is deeper than the limit of {limits.MaxDepth}", position);
                }

                if (count > 0)
                {
                    remaining[depth] = containerIsMap ? count * 2 : count;
                    isMap[depth] = containerIsMap;
                    depth++;
                }
            }

            while (depth > 0 && remaining[depth - 1] == 0)
            {
                depth--;
            }
        }
        while (depth > 0);

        if (position != frame.Length)
        {
            throw Invalid($"{frame.Length - position} unexpected byte(s) after the message", position);
        }
    }

    /// <summary>
    /// Validates one value's header and any payload it carries, advancing <paramref name="position"/> past them.
    /// Returns the element count for arrays and maps (whose contents the caller walks), otherwise -1.
    /// </summary>
    private static long ValidateValue(
        ReadOnlySpan<byte> frame, ref int position, bool isKey, MessagePackHubProtocolOptions limits, out bool isMap)
    {
        isMap = false;
        var start = position;
        var code = Take(frame, ref position, 1)[0];
        var type = MsgPackCode.TypeOf(code);
        if (isKey && type != MsgPackType.String)
        {
            throw Invalid($"map keys must be strings, found {MsgPackCode.NameOf(type)}", start);
        }

        switch (code)
        {
            case <= MsgPackCode.MaxPositiveFixInt or >= MsgPackCode.MinNegativeFixInt:
            case MsgPackCode.Nil or MsgPackCode.False or MsgPackCode.True:
                return -1;
            case <= MsgPackCode.MaxFixMap:
                isMap = true;
                return CheckCount(frame, position, code - MsgPackCode.MinFixMap, 2, limits);
            case <= MsgPackCode.MaxFixArray:
                return CheckCount(frame, position, code - MsgPackCode.MinFixArray, 1, limits);
            case <= MsgPackCode.MaxFixStr:
                ValidateString(frame, ref position, code - MsgPackCode.MinFixStr, limits);
                return -1;
            case MsgPackCode.NeverUsed:
                throw Invalid("0xc1 is not a valid MessagePack type code", start);
            case MsgPackCode.Bin8 or MsgPackCode.Bin16 or MsgPackCode.Bin32:
                SkipPayload(frame, ref position, ReadLength(frame, ref position, code - MsgPackCode.Bin8), limits.MaxBinaryLength, "bin");
                return -1;
            case MsgPackCode.Ext8 or MsgPackCode.Ext16 or MsgPackCode.Ext32:
                ValidateExtension(frame, ref position, ReadLength(frame, ref position, code - MsgPackCode.Ext8), limits);
                return -1;
            case MsgPackCode.Float32 or MsgPackCode.UInt32 or MsgPackCode.Int32:
                Take(frame, ref position, 4);
                return -1;
            case MsgPackCode.Float64 or MsgPackCode.UInt64 or MsgPackCode.Int64:
                Take(frame, ref position, 8);
                return -1;
            case MsgPackCode.UInt8 or MsgPackCode.Int8:
                Take(frame, ref position, 1);
                return -1;
            case MsgPackCode.UInt16 or MsgPackCode.Int16:
                Take(frame, ref position, 2);
                return -1;
            case >= MsgPackCode.FixExt1 and <= MsgPackCode.FixExt16:
                ValidateExtension(frame, ref position, 1L << (code - MsgPackCode.FixExt1), limits);
                return -1;
            case MsgPackCode.Str8 or MsgPackCode.Str16 or MsgPackCode.Str32:
                ValidateString(frame, ref position, ReadLength(frame, ref position, code - MsgPackCode.Str8), limits);
                return -1;
            case MsgPackCode.Array16 or MsgPackCode.Array32:
                return CheckCount(frame, position, ReadLength(frame, ref position, code - MsgPackCode.Array16 + 1), 1, limits);
            default: // Map16, Map32
                isMap = true;
                return CheckCount(frame, position, ReadLength(frame, ref position, code - MsgPackCode.Map16 + 1), 2, limits);
        }
    }

    private static long CheckCount(ReadOnlySpan<byte> frame, int position, long count, int bytesPerElement, MessagePackHubProtocolOptions limits)
    {
        if (count > limits.MaxCollectionLength)
        {
            throw Invalid($"a collection declares {count} elements, over the limit of {limits.MaxCollectionLength}", position);
        }

        // Every element takes at least one byte, so a count the remaining bytes cannot hold is a lie.
        if (count * bytesPerElement > frame.Length - position)
        {
            throw Invalid($"a collection declares {count} elements but only {frame.Length - position} bytes remain", position);
        }

        return count;
    }

    private static void ValidateString(ReadOnlySpan<byte> frame, ref int position, long length, MessagePackHubProtocolOptions limits)
    {
        var start = position;
        var bytes = SkipPayload(frame, ref position, length, limits.MaxStringLength, "str");
        if (!Utf8.IsValid(bytes))
        {
            throw Invalid("a string is not valid UTF-8", start);
        }
    }

    private static void ValidateExtension(ReadOnlySpan<byte> frame, ref int position, long length, MessagePackHubProtocolOptions limits)
    {
        var typeCode = (sbyte)Take(frame, ref position, 1)[0];
        var start = position;
        var data = SkipPayload(frame, ref position, length, limits.MaxBinaryLength, "ext");
        if (typeCode != MsgPackCode.TimestampExtType)
        {
            return;
        }

        var nanoseconds = data.Length switch
        {
            4 => 0,
            8 => (long)(BinaryPrimitives.ReadUInt64BigEndian(data) >> 34),
            12 => BinaryPrimitives.ReadUInt32BigEndian(data),
            _ => throw Invalid($"a timestamp extension has {data.Length} bytes; it must have 4, 8 or 12", start),
        };
        if (nanoseconds >= NanosecondsPerSecond)
        {
            throw Invalid("a timestamp's nanoseconds are not below one second", start);
        }
    }

    /// <summary>Reads a big-endian length of 1, 2 or 4 bytes (<paramref name="sizeClass"/> 0, 1 or 2).</summary>
    private static long ReadLength(ReadOnlySpan<byte> frame, ref int position, int sizeClass) => sizeClass switch
    {
        0 => Take(frame, ref position, 1)[0],
        1 => BinaryPrimitives.ReadUInt16BigEndian(Take(frame, ref position, 2)),
        _ => BinaryPrimitives.ReadUInt32BigEndian(Take(frame, ref position, 4)),
    };

    private static ReadOnlySpan<byte> SkipPayload(ReadOnlySpan<byte> frame, ref int position, long length, int limit, string kind)
    {
        if (length > limit)
        {
            throw Invalid($"a {kind} declares {length} bytes, over the limit of {limit}", position);
        }

        return Take(frame, ref position, length);
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> frame, ref int position, long count)
    {
        if (count > frame.Length - position)
        {
            throw Invalid($"the frame is truncated: {count} byte(s) needed, {frame.Length - position} left", position);
        }

        var slice = frame.Slice(position, (int)count);
        position += (int)count;
        return slice;
    }

    private static InvalidDataException Invalid(string problem, int offset) =>
        new($"Invalid MessagePack frame: {problem} (at byte {offset} of the frame).");
}
