using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Zaqar.Data;

/// <summary>
/// Message ids are UUID-shaped: the queue position (seq) in the high 64 bits, random bits in the low 64.
/// The position makes a <c>marker</c> usable even after its message is deleted; the random half keeps ids
/// unguessable and distinct when a queue is deleted and created again.
/// </summary>
public static class MessageIds
{
    public static Guid Compose(long seq, long nonce)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], nonce);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The queue position encoded in a message id.</summary>
    public static long SeqOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return BinaryPrimitives.ReadInt64BigEndian(bytes);
    }

    /// <summary>Parses a message id as clients send it (any form <see cref="Guid.TryParse(string?, out Guid)"/> takes).</summary>
    public static bool TryParse(string? text, out Guid id, out long seq)
    {
        seq = 0;
        if (!Guid.TryParse(text, out id))
        {
            return false;
        }
        seq = SeqOf(id);
        return seq > 0;
    }

    /// <summary>Random halves for a batch of new ids.</summary>
    public static long[] NewNonces(int count)
    {
        var nonces = new long[count];
        RandomNumberGenerator.Fill(System.Runtime.InteropServices.MemoryMarshal.AsBytes(nonces.AsSpan()));
        return nonces;
    }
}
