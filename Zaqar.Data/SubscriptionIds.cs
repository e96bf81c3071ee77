using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Zaqar.Data;

/// <summary>
/// Subscription ids are version-7 UUIDs (RFC 9562) made monotonic within the process: a millisecond timestamp, then a
/// 12-bit counter for ids of the same millisecond (method 1 of section 6.2), then random bits. Listing walks ids in
/// order after a marker, so ids must sort in creation order even when many are made at once (or the clock stands
/// still, as a test's may); <see cref="Guid.CreateVersion7()"/> is random within a millisecond.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public static class SubscriptionIds
{
    private static readonly Lock Gate = new();
    private static long _lastMillis;
    private static int _counter;

    public static Guid New(DateTimeOffset now)
    {
        long millis;
        int counter;
        lock (Gate)
        {
            millis = Math.Max(now.ToUnixTimeMilliseconds(), _lastMillis);
            if (millis == _lastMillis)
            {
                if (++_counter > 0xFFF)
                {
                    // The counter ran out within this millisecond: borrow the next one.
                    millis++;
                    _counter = 0;
                }
            }
            else
            {
                _counter = 0;
            }
            _lastMillis = millis;
            counter = _counter;
        }
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, (millis << 16) | 0x7000L | (uint)counter);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
