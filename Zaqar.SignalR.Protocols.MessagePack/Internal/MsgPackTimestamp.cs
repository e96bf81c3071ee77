using System.Buffers.Binary;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>The MessagePack timestamp extension (type -1) in its 32-, 64- and 96-bit encodings.</summary>
internal static class MsgPackTimestamp
{
    private const long UnixEpochTicks = 621_355_968_000_000_000; // DateTime.UnixEpoch.Ticks
    private const long MinSeconds = -62_135_596_800; // 0001-01-01T00:00:00Z
    private const long MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z

    /// <summary>
    /// Converts to UTC for the wire: <see cref="DateTimeKind.Local"/> is converted, <see cref="DateTimeKind.Unspecified"/>
    /// is taken to be UTC already (converting it would make the wire value depend on the server's time zone).
    /// </summary>
    public static DateTime ToUtc(DateTime value) =>
        value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>
    /// Writes the smallest encoding that holds the value, the same choice @msgpack/msgpack and MessagePack-CSharp make:
    /// 32-bit for whole seconds in [0, 2^32), 64-bit while seconds fit in 34 bits, otherwise 96-bit.
    /// Returns the extension payload length; <paramref name="destination"/> must hold 12 bytes.
    /// </summary>
    public static int Encode(DateTime utc, Span<byte> destination)
    {
        var ticks = utc.Ticks - UnixEpochTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        var nanoseconds = (ulong)remainder * 100;
        if ((ulong)seconds >> 34 == 0)
        {
            if (nanoseconds == 0 && seconds <= uint.MaxValue)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)seconds);
                return 4;
            }

            BinaryPrimitives.WriteUInt64BigEndian(destination, nanoseconds << 34 | (ulong)seconds);
            return 8;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)nanoseconds);
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], seconds);
        return 12;
    }

    /// <summary>Decodes a timestamp payload as a UTC <see cref="DateTime"/>; sub-100 ns precision is truncated.</summary>
    public static DateTime Decode(ReadOnlySpan<byte> data)
    {
        long seconds;
        long nanoseconds;
        switch (data.Length)
        {
            case 4:
                seconds = BinaryPrimitives.ReadUInt32BigEndian(data);
                nanoseconds = 0;
                break;
            case 8:
                var packed = BinaryPrimitives.ReadUInt64BigEndian(data);
                seconds = (long)(packed & 0x3_FFFF_FFFF);
                nanoseconds = (long)(packed >> 34);
                break;
            case 12:
                nanoseconds = BinaryPrimitives.ReadUInt32BigEndian(data);
                seconds = BinaryPrimitives.ReadInt64BigEndian(data[4..]);
                break;
            default:
                throw new InvalidDataException($"A timestamp has {data.Length} bytes; it must have 4, 8 or 12.");
        }

        if (seconds is < MinSeconds or > MaxSeconds || nanoseconds >= 1_000_000_000)
        {
            throw new InvalidDataException($"The timestamp {seconds}s {nanoseconds}ns is outside the range of DateTime.");
        }

        return new DateTime(UnixEpochTicks + seconds * TimeSpan.TicksPerSecond + nanoseconds / 100, DateTimeKind.Utc);
    }
}
